// Every placed group (index-builder.ts PlacedGroup) is made again, by its builder's `remake`, from
// its recipe and copies of its members alone: the same keys, inputs and records as the group cut
// from the whole archive, and the keys it says it produces are exactly those it builds. The recipe
// goes through JSON first, as it would to a file. Enough articles that every builder has several
// buckets, archives and parts. (A builder's cut makes its groups through the same `remake`, so what
// this proves is that the recipe and the members are all a group needs; what each record holds is
// checked by the tests of each surface.)
import { describe, expect, it } from 'vitest';
import { type ContentInput, compileContent } from '../../src/content/compile';
import { ARTICLE_RECORDS } from '../../src/publish/indexes/article-records';
import { buildGroups, INDEX_BUILDERS } from '../../src/publish/indexes/index-builder';
import { type Recipe, RecipeError } from '../../src/publish/indexes/recipe';
import { NEWS_SITEMAP_BUILDER } from '../../src/publish/indexes/sitemaps';
import { repositoryContent } from '../support/content';
import { plainGroupContext } from '../support/group-context';
import { FIRST_REPORT_ID, reportArticle } from '../support/report-articles';

const base = repositoryContent();
const input: ContentInput = {
  ...base,
  articles: [...base.articles, ...Array.from({ length: 300 }, (_, i) => reportArticle(FIRST_REPORT_ID + i))],
};
const content = compileContent(input);

const context = plainGroupContext();

const BUILDERS = [ARTICLE_RECORDS, ...INDEX_BUILDERS];

describe('a placed group made again from its recipe and members', () => {
  for (const builder of BUILDERS) {
    // Placed groups and indexed ones (the `modified` scope's buckets, the site's and sections' feeds).
    const placed = [...builder.groups(content, context)].flatMap((group) => {
      const listed = group.placed ?? group.indexed;
      return listed ? [{ group, listed }] : [];
    });
    if (!builder.remake) {
      it(`${builder.name}: has no placed group, and no remake`, () => {
        expect(placed).toEqual([]);
      });
      continue;
    }
    const remake = builder.remake;
    it(`${builder.name}: has the same keys, inputs and records as the group cut from the archive`, () => {
      // Several of each builder's groups, so a recipe entry that one group does not need still
      // counts (the news sitemap has one, of the newest articles).
      expect(placed.length).toBeGreaterThan(builder.name === NEWS_SITEMAP_BUILDER ? 0 : 4);
      for (const { group, listed } of placed) {
        const recipe = JSON.parse(JSON.stringify(listed.recipe));
        const members = structuredClone([...listed.members]);
        const again = remake(structuredClone(content.site), recipe, members, context);
        const label = `${builder.name} ${JSON.stringify(recipe)}`;
        expect(again.placed?.keys(), label).toEqual(group.placed?.keys());
        expect(again.indexed?.keys(), label).toEqual(group.indexed?.keys());
        expect(again.inputs?.(), label).toEqual(group.inputs?.());
        expect(buildGroups([again]), label).toEqual(buildGroups([group]));
        expect([...buildGroups([group]).keys()], label).toEqual(listed.keys());
      }
    });
  }

  it('is refused for a recipe, or members, of another shape', () => {
    const [one, two] = content.articles;
    if (!one || !two) throw new Error('no articles');
    const refused = (builder: string, recipe: Recipe, members = [one]) => {
      const remake = BUILDERS.find((each) => each.name === builder)?.remake;
      if (!remake) throw new Error(`${builder} has no remake`);
      expect(() => remake(content.site, recipe, members, context), JSON.stringify([builder, recipe])).toThrow(
        RecipeError,
      );
    };
    for (const builder of BUILDERS) if (builder.remake) refused(builder.name, [1.5, 'not', 'a', 'recipe']);
    refused('articles', [], []);
    refused('api-articles', [], [one, two]);
    refused('lists', ['list:v3:home', 'more']);
    refused('term-pages', ['term:v1:tag:a:head', 'A', 3, 'more']);
    refused('api-lists', ['all', 0, 'yes', 0, '']);
    refused('feed-archives', ['planet', 'mars', 1]);
    refused('feed-archives', ['section', '', 1]);
    refused('feeds', ['site', '', 'Press TV']);
    refused('feeds', ['tag', 'budget', 'Budget', 'more']);
    refused('api-lists', ['all', 0, true, 0, '', 'more']);
    refused('news-sitemap', ['seo:v1:news-sitemap']);
  });
});
