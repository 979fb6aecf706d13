// An original whose size could be read but whose data cannot be encoded (cut short, say) is only
// found out when its renditions are made: it is reported as compile reports an unreadable image, at
// the line of `image.src` in each article that shows it, and the publish stops before its first
// upload or KV write.
import type { SiteConfig } from '../config/site-config';
import { type CompiledContent, type ContentInput, compileArticle, imageSourceOf } from '../content/compile';
import { imageFileShown } from '../content/image-source';
import type { Problem } from '../content/problems';
import type { ImageEncodeError, ImagePlan } from './images';

/**
 * The article files that show each original to encode, by its name in front matter: taken while
 * the compiled articles are at hand, as the publish lets them go before it uploads.
 */
export function filesShowing(content: CompiledContent, plans: readonly ImagePlan[]): Map<string, string[]> {
  const sourceOf = new Map(plans.map((plan) => [plan.asset.src, plan.source]));
  const showing = new Map<string, string[]>();
  for (const article of content.articles) {
    const src = imageSourceOf(article);
    const source = src !== undefined && sourceOf.get(src);
    const path = source && content.ids?.get(article.id)?.path;
    if (!source || !path) continue;
    const paths = showing.get(source);
    // Pushed, not copied: at 100,000 articles sharing 300 photos, a copy each time is millions.
    if (paths) paths.push(path);
    else showing.set(source, [path]);
  }
  return showing;
}

/** The problems an original that cannot be encoded makes: each article showing it, compiled again knowing. */
export function imageEncodeProblems(
  error: ImageEncodeError,
  context: { site: SiteConfig; input: ContentInput; showing: ReadonlyMap<string, readonly string[]> },
): Problem[] {
  const sitePath = context.input.site.path;
  const images = new Map(context.input.images).set(error.source, { unreadable: error.reason });
  const paths = new Set(context.showing.get(error.source));
  const problems: Problem[] = [];
  for (const file of context.input.articles) {
    if (!paths.has(file.path)) continue;
    const compiled = compileArticle(file, context.site, images, sitePath);
    if (Array.isArray(compiled))
      problems.push(...compiled.filter((problem) => problem.reason.startsWith('image.src:')));
  }
  // Shown by none of them (a failure before the articles showing it were known): the file itself.
  return problems.length > 0
    ? problems
    : [{ path: imageFileShown(sitePath, error.source), line: 1, reason: error.reason }];
}
