// Every placed group (index-builder.ts PlacedGroup) is made again, by its builder's `remake`, from
// its recipe and its members alone: the same keys, inputs and records as the group cut from the
// whole archive, and the keys it says it produces are exactly those it builds. The recipe goes
// through JSON first, as it would to a file. Enough articles that every builder has several
// buckets, archives and parts.
import { describe, expect, it } from 'vitest';
import { type ContentInput, compileContent } from '../../src/content/compile';
import type { SourceFile } from '../../src/content/problems';
import { ARTICLE_RECORDS } from '../../src/publish/indexes/article-records';
import {
  buildGroups,
  type GroupContext,
  INDEX_BUILDERS,
  type RecordGroup,
} from '../../src/publish/indexes/index-builder';
import { RecipeError } from '../../src/publish/indexes/recipe';
import { memoryScratch } from '../../src/publish/record-store';
import { toTeaser } from '../../src/storage/records';
import { renderCard } from '../../src/views/ArticleCard';
import { repositoryContent } from '../support/content';

const SECTIONS = ['news', 'russia', 'middle-east', 'economy', 'science', 'sport'];
const FIRST_ID = 7_007_001;

function article(id: number): SourceFile {
  const published = new Date(Date.UTC(2019, 0, 1) + (id - FIRST_ID) * 43_200_000)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const text = [
    '---',
    `id: ${id}`,
    `title: Report number ${id} on the harbour`,
    `section: ${SECTIONS[id % SECTIONS.length]}`,
    `published: ${published}`,
    `tags: [Harbour, Tag ${id % 7}]`,
    `author: Desk ${id % 3}`,
    '---',
    '',
    `Report ${id} says what the port authority decided.`,
    '',
  ].join('\n');
  return { path: `content/articles/recipes/${id}.md`, text };
}

const base = repositoryContent();
const input: ContentInput = {
  ...base,
  articles: [...base.articles, ...Array.from({ length: 300 }, (_, i) => article(FIRST_ID + i))],
};
const content = compileContent(input);

// Names each article by everything compiled for it, as a publish's memo does.
const context: GroupContext = {
  storedManifest: null,
  parking: memoryScratch(),
  article: (each) => JSON.stringify(each),
  card: (each) => renderCard(toTeaser(each)),
  derived: (_kind, _article, compute) => compute(),
  keepDerived: () => undefined,
  derivedOf: () => undefined,
  storedValue: async () => undefined,
  keptUnedited: () => false,
};

const BUILDERS = [ARTICLE_RECORDS, ...INDEX_BUILDERS];

describe('a placed group made again from its recipe and members', () => {
  for (const builder of BUILDERS) {
    const placed = [...builder.groups(content, context)].filter(
      (group): group is RecordGroup & Required<Pick<RecordGroup, 'placed'>> => group.placed !== undefined,
    );
    if (!builder.remake) {
      it(`${builder.name}: has no placed group, and no remake`, () => {
        expect(placed).toEqual([]);
      });
      continue;
    }
    const remake = builder.remake;
    it(`${builder.name}: has the same keys, inputs and records as the group cut from the archive`, () => {
      // Several of each builder's groups, so a recipe entry that one group does not need still counts.
      expect(placed.length).toBeGreaterThan(4);
      for (const group of placed) {
        const recipe = JSON.parse(JSON.stringify(group.placed.recipe));
        const again = remake(content.site, recipe, [...group.placed.members], context);
        const label = `${builder.name} ${JSON.stringify(recipe)}`;
        expect(again.placed?.recipe, label).toEqual(group.placed.recipe);
        expect(again.placed?.keys(), label).toEqual(group.placed.keys());
        expect(again.inputs?.(), label).toEqual(group.inputs?.());
        expect(buildGroups([again]), label).toEqual(buildGroups([group]));
        expect([...buildGroups([group]).keys()], label).toEqual(group.placed.keys());
      }
    });
  }

  it('is refused for a recipe of another shape', () => {
    const [one] = content.articles;
    if (!one) throw new Error('no article');
    for (const builder of BUILDERS)
      if (builder.remake)
        expect(
          () => builder.remake?.(content.site, [1.5, 'not', 'a', 'recipe'], [one], context),
          builder.name,
        ).toThrow(RecipeError);
  });
});
