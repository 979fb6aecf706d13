// The group index: for each placed or indexed group of records (indexes/index-builder.ts
// RecordGroup.placed, RecordGroup.indexed) as KV holds it, its builder, recipe and members, and for
// each article the groups that list it. An edit
// by key asks it which groups show the edited article and remakes those alone, from their recipes
// and their members read by id (IndexBuilder.remake), rather than cutting every group from every
// article. The publish command keeps it on disk (node/group-index-file.ts).
import type { PlacedGroup } from './indexes/index-builder';
import type { Recipe } from './indexes/recipe';

/** The index as a publish finds it (PublishOptions.groupIndex). */
export interface GroupIndexSink {
  /**
   * Starts this publish's recording, given the writer token KV holds as this machine's last publish
   * left it (PublishSource.rememberedWriter; undefined when KV had to be listed). The index is
   * complete only if it was saved whole against that very state: any other writer since (a second
   * namespace published from the same folder, the cron applying a release, someone by hand) may
   * have changed groups the memo then knows and the index does not.
   */
  begin(writer: string | undefined): GroupRecorder;
}

/** One publish's recording into the group index (BuildOptions.groupIndex). */
export interface GroupRecorder {
  /**
   * Whether the index holds every placed group as KV holds it: then only the groups this publish
   * builds are told, as one kept unbuilt is as the index has it. Otherwise every group is told,
   * into an index started afresh, and no edit is taken in place (a group kept in place is not told).
   */
  readonly complete: boolean;
  /**
   * A placed or indexed group this publish built (or, into an index not complete, kept), by its
   * builder's name.
   */
  record(builder: string, group: PlacedGroup): Promise<void>;
}

/** A group as the index holds it: what its builder's `remake` needs, its members by id. */
export interface IndexedGroup {
  builder: string;
  /** Its first key (PlacedGroup.keys): the group's name in the index. */
  key: string;
  recipe: Recipe;
  /** Its members' ids, in the group's order. */
  members: number[];
}
