// The group index: for each placed group of records (indexes/index-builder.ts PlacedGroup) the last
// publish built, its builder, recipe and members, and for each article the groups that list it. An
// edit by key asks it which groups show the edited article and remakes those alone, from their
// recipes and their members read by id (IndexBuilder.remake), rather than cutting every group from
// every article. The publish command keeps it on disk (node/group-index-file.ts).
import type { PlacedGroup } from './indexes/index-builder';
import type { Recipe } from './indexes/recipe';

/** What a publish tells the group index of the placed groups it takes (BuildOptions.groupIndex). */
export interface GroupIndexSink {
  /**
   * Whether the index holds every placed group as the last publish left them: then only the groups
   * a publish builds are told, as one kept unbuilt is as it was. Otherwise every group is told.
   */
  readonly complete: boolean;
  /** A placed group this publish built (or, into an index not complete, kept), by its builder's name. */
  record(builder: string, group: PlacedGroup): Promise<void>;
}

/** A placed group as the index holds it: what its builder's `remake` needs, its members by id. */
export interface IndexedGroup {
  builder: string;
  /** Its first key (PlacedGroup.keys): the group's name in the index. */
  key: string;
  recipe: Recipe;
  /** Its members' ids, in the group's order. */
  members: number[];
}
