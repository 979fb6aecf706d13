// The context a builder cuts or remakes its groups in (index-builder.ts GroupContext), for tests that
// do either outside a publish: each article named by everything compiled for it, as a publish's memo
// does; nothing remembered, nothing stored, nothing kept in place.
import type { GroupContext } from '../../src/publish/indexes/index-builder';
import { memoryScratch } from '../../src/publish/record-store';
import { toTeaser } from '../../src/storage/records';
import { renderCard } from '../../src/views/ArticleCard';

export function plainGroupContext(): GroupContext {
  return {
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
}
