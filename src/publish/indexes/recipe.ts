// What names a placed group of records besides its members (index-builder.ts PlacedGroup): its
// builder makes the group again from the recipe and the members alone (IndexBuilder.remake).
import type { CompiledContent } from '../../content/compile';
import type { GroupContext, RecordGroup } from './index-builder';

type CompiledArticle = CompiledContent['articles'][number];

/**
 * What names a placed group besides its members: a few strings, numbers and flags, JSON as they are. Its
 * builder's `remake` makes the same group from the recipe and the members alone, so a group that
 * shows an article can be made again without cutting the whole archive.
 */
export type Recipe = readonly (string | number | boolean)[];

/** Refuses a recipe of another length than its builder's recipes have (other code's). */
export function recipeLength(recipe: Recipe, length: number, builder: string): void {
  if (recipe.length !== length) throw new RecipeError(builder, recipe);
}

/** A recipe's entry `at`, a string; a recipe of another shape (other code's) is refused. */
export function recipeText(recipe: Recipe, at: number, builder: string): string {
  const entry = recipe[at];
  if (typeof entry !== 'string') throw new RecipeError(builder, recipe);
  return entry;
}

/** A recipe's entry `at`, a number; a recipe of another shape (other code's) is refused. */
export function recipeNumber(recipe: Recipe, at: number, builder: string): number {
  const entry = recipe[at];
  if (typeof entry !== 'number') throw new RecipeError(builder, recipe);
  return entry;
}

/** A recipe's entry `at`, a flag; a recipe of another shape (other code's) is refused. */
export function recipeFlag(recipe: Recipe, at: number, builder: string): boolean {
  const entry = recipe[at];
  if (typeof entry !== 'boolean') throw new RecipeError(builder, recipe);
  return entry;
}

export class RecipeError extends Error {
  override readonly name = 'RecipeError';
  constructor(builder: string, recipe: Recipe) {
    super(`the ${builder} builder has no group with the recipe ${JSON.stringify(recipe)}`);
  }
}

/**
 * A placed group of one value under one key: named among a publish's inputs by what `named` lists
 * and then its members, its value made by `value`. (A list or term value, a month's sitemap part,
 * a term's head, the news sitemap.)
 */
export function oneValueGroup(
  placed: { key: string; recipe: Recipe; members: readonly CompiledArticle[] },
  context: Pick<GroupContext, 'article'>,
  named: readonly string[],
  value: () => string,
): RecordGroup {
  const { key, recipe, members } = placed;
  return {
    inputs: () => [...named, ...members.map((article) => context.article(article))],
    build: () => new Map([[key, value()]]),
    placed: { members, keys: () => [key], recipe },
  };
}
