// What a publish says about an original that cannot be encoded (src/publish/image-problems.ts),
// wherever the content folder is: at the image line of each article showing it, and the file
// itself when no article is known to show it.
import { describe, expect, it } from 'vitest';
import { compileContent } from '../../src/content/compile';
import { imageEncodeProblems } from '../../src/publish/image-problems';
import { ImageEncodeError } from '../../src/publish/images';
import { repositoryArticles } from '../support/content';

/** The sample article showing images/675904.jpg, read as if from the folder `folder`. */
function inFolder(folder: string) {
  const input = repositoryArticles([675904]);
  return {
    ...input,
    site: { ...input.site, path: `${folder}/site.yaml` },
    articles: input.articles.map((file) => ({
      ...file,
      path: file.path.replace(/^content\//, `${folder}/`),
    })),
  };
}

describe('imageEncodeProblems', () => {
  const error = new ImageEncodeError('images/675904.jpg', 'cannot be encoded (premature end of JPEG image)');

  it('names each article showing the original, and the original under the content folder', () => {
    const input = inFolder('newsroom');
    const site = compileContent(input).site;
    const [file] = input.articles;
    const problems = imageEncodeProblems(error, {
      site,
      input,
      showing: new Map([[error.source, [file?.path ?? '']]]),
    });
    expect(problems).toEqual([
      {
        path: file?.path,
        line: expect.any(Number),
        reason: 'image.src: newsroom/images/675904.jpg cannot be encoded (premature end of JPEG image)',
      },
    ]);
  });

  it('names the original itself, under the content folder, when no article is known to show it', () => {
    const input = inFolder('newsroom');
    const site = compileContent(input).site;
    expect(imageEncodeProblems(error, { site, input, showing: new Map() })).toEqual([
      { path: 'newsroom/images/675904.jpg', line: 1, reason: error.reason },
    ]);
  });
});
