// What names a placed group of records besides its members (index-builder.ts PlacedGroup): its
// builder makes the group again from the recipe and the members alone (IndexBuilder.remake).

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
