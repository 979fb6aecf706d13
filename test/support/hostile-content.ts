// fast-check arbitraries for hostile content: Unicode that breaks naive escaping, written into a
// real site.yaml and article file, with the text every field should come out as after compile.
import fc from 'fast-check';
import type { ContentInput } from '../../src/content/compile';
import { stripXmlIllegalChars } from '../../src/content/xml-chars';
import { ORIGIN_PLACEHOLDER } from '../../src/sites/origin-placeholder';
import { repositoryContent } from './content';

/** Fragments that break HTML, XML, JSON, YAML or Markdown when a boundary forgets to escape. */
export const HOSTILE_FRAGMENTS = [
  ']]>',
  '<![CDATA[',
  '</script>',
  '<script>alert(1)</script>',
  '<!--',
  '-->',
  '</title><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  'javascript:alert(1)',
  '<iframe src="//evil.example">',
  '<style>*{display:none}</style>',
  '<base href="//evil.example/">',
  '</h1><h1>',
  '</textarea>',
  '"',
  "'",
  '`',
  '&',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x1;',
  '&#xD800;',
  '<',
  '>',
  '\\',
  '\u202E',
  '\u200F',
  '\u2028',
  '\uFEFF',
  '\u0000',
  '\u0085',
  '\r\n',
  '👩🏽‍💻',
  '🇮🇷',
  'ﷺ',
  '\uD800',
  '\uDFFF',
  '\uFFFE',
  '{"a":1}',
  '- item',
  '# heading',
  '*x*',
  ' *alias',
  ': ',
  ' #',
  '%',
  '%E0%A4%A',
] as const;

/** Markdown and raw HTML that try every known way past a sanitiser. */
export const RAW_HTML_ATTACKS = [
  '<script>alert(1)</script>',
  '<img src="/a.png" onerror="alert(1)" alt="&#1;x">',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="  JaVaScRiPt:alert(1)">case</a>',
  '<a href="data:text/html,<script>alert(1)</script>">data</a>',
  '<a href="//evil.example/">protocol-relative</a>',
  '[md link](javascript:alert(1))',
  '![md image](https://evil.example/pixel.gif)',
  '<img src="https://evil.example/pixel.gif">',
  '<svg><script>alert(1)</script></svg>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<iframe src="https://evil.example"></iframe>',
  '<p style="position:fixed;top:0">overlay</p>',
  '<table><tr><td style="background:url(javascript:alert(1))">x</td></tr></table>',
  '<form action="https://evil.example"><input name=q></form>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<base href="https://evil.example/">',
  '<object data="x.swf"></object>',
  '<div onclick="alert(1)">div</div>',
  '</div></article></main><script>alert(1)</script>',
  '<!-- <script>alert(1)</script> -->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  '<textarea><script>alert(1)</script></textarea>',
  '<h1>second headline</h1>',
  '<title>second title</title>',
  '<a href="/ok" title="&quot; onmouseover=&quot;alert(1)">q</a>',
] as const;

const controlChar = fc.integer({ min: 0, max: 0x9f }).map((code) => String.fromCharCode(code));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Visible words: most fields get one, so that they survive stripping and trimming and are accepted. */
const ANCHOR_WORDS = ['News', 'Москва', 'تهران', 'שלום', '北京', 'x'] as const;

/** Short text mixing hostile fragments, control characters, lone surrogates and arbitrary code points. */
export const hostileText = (maxParts = 8): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 40, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
          { weight: 30, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
          { weight: 30, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
          { weight: 10, arbitrary: controlChar },
          { weight: 10, arbitrary: loneSurrogate },
        ),
        { minLength: 1, maxLength: maxParts },
      ),
      fc.option(fc.constantFrom(...ANCHOR_WORDS), { nil: undefined, freq: 6 }),
      fc.nat(),
    )
    .map(([parts, anchor, at]) => {
      // Copy: fast-check reuses generated values while shrinking, so they must not be mutated.
      const words = [...parts];
      if (anchor !== undefined) words.splice(at % (words.length + 1), 0, anchor);
      return words.join('');
    });

/**
 * A YAML double-quoted scalar spelling `text` exactly. `raw` writes characters as they are
 * (XML-illegal ones are then removed from the file before parsing); `escaped` writes every
 * non-printable character as a YAML escape, which reaches the parsed value unless compile strips it.
 */
export function yamlQuoted(text: string, style: 'raw' | 'escaped'): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    // Line and BOM characters are escaped in both styles: YAML treats some as line breaks.
    else if (code === 0x85 || code === 0x2028 || code === 0x2029 || code === 0xfeff) out += escapeCode(code);
    else if (style === 'escaped' && isNonPrintable(code)) out += escapeCode(code);
    else if (style === 'raw' && code >= 0x7f && code <= 0x9f) out += escapeCode(code);
    else out += ch;
  }
  return `${out}"`;
}

function isNonPrintable(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0xfffe ||
    code === 0xffff
  );
}

function escapeCode(code: number): string {
  return code > 0xffff
    ? `\\U${code.toString(16).padStart(8, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** What a plain-text field must read as on every surface: the input minus XML-illegal characters, trimmed. */
export function expectedText(text: string): string {
  return stripXmlIllegalChars(text).trim();
}

export interface HostileArticle {
  title: string;
  summary?: string;
  author?: string;
  tags: string[];
  image?: { alt: string; caption?: string; credit?: string };
  /** Shown verbatim in a fenced code block: the body's round-trip check. */
  code: string;
  /** Markdown and raw HTML after the code block. */
  prose: string;
}

export interface HostileSite {
  name: string;
  description: string;
  newsTitle: string;
  russiaTitle: string;
}

export interface HostileCase {
  article: HostileArticle;
  site: HostileSite;
  style: 'raw' | 'escaped';
  /** The hostile article's id: vary it where a cached page of an earlier run must not answer. */
  id?: number;
}

export const HOSTILE_ARTICLE_ID = 990001;
export const HOSTILE_ARTICLE_PATH = 'content/articles/hostile.md';
/** An image that exists in content/images, so the image fields are accepted. */
const IMAGE_SRC = 'images/675904.jpg';

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

export const hostileArticle: fc.Arbitrary<HostileArticle> = fc.record({
  title: hostileText(),
  summary: optional(hostileText()),
  author: optional(hostileText(4)),
  tags: fc.array(hostileText(3), { maxLength: 4 }),
  image: optional(
    fc.record({ alt: hostileText(4), caption: optional(hostileText(4)), credit: optional(hostileText(3)) }),
  ),
  code: hostileText(12),
  prose: fc
    .array(fc.oneof(hostileText(), fc.constantFrom(...RAW_HTML_ATTACKS)), { minLength: 1, maxLength: 4 })
    .map((blocks) => blocks.join('\n\n')),
});

export const hostileSite: fc.Arbitrary<HostileSite> = fc.record({
  name: hostileText(4),
  description: hostileText(),
  newsTitle: hostileText(3),
  russiaTitle: hostileText(3),
});

/** The real outlet's names: constant, so a manifest memoised by an earlier request is still right. */
export const ORDINARY_SITE: HostileSite = {
  name: 'Press TV',
  description: 'News, analysis and reports from Press TV, an international news network.',
  newsTitle: 'News',
  russiaTitle: 'Russia',
};

/**
 * One case in ten carries the reserved origin placeholder, which compile must reject. Drawn per
 * case, not per text fragment: per fragment, a quarter of all cases were rejected for it, so a
 * short run could not tell "mostly accepted" from chance.
 */
const articleWithOccasionalPlaceholder: fc.Arbitrary<HostileArticle> = fc
  .tuple(hostileArticle, fc.nat({ max: 9 }), fc.constantFrom('title', 'code', 'prose'))
  .map(([article, roll, field]) =>
    roll === 0 ? { ...article, [field]: `${article[field]}${ORIGIN_PLACEHOLDER}` } : article,
  );

export const hostileCase: fc.Arbitrary<HostileCase> = fc.record({
  article: articleWithOccasionalPlaceholder,
  site: hostileSite,
  style: fc.constantFrom('raw', 'escaped'),
});

function fenceFor(code: string): string {
  const longestRun = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longestRun + 1));
}

export function articleFile(
  article: HostileArticle,
  style: 'raw' | 'escaped',
  id = HOSTILE_ARTICLE_ID,
): string {
  const q = (text: string) => yamlQuoted(text, style);
  const lines = [
    '---',
    `id: ${id}`,
    `title: ${q(article.title)}`,
    'section: russia',
    'published: 2025-02-01T10:00:00Z',
  ];
  if (article.summary !== undefined) lines.push(`summary: ${q(article.summary)}`);
  if (article.image) {
    lines.push('image:', `  src: ${IMAGE_SRC}`, `  alt: ${q(article.image.alt)}`);
    if (article.image.caption !== undefined) lines.push(`  caption: ${q(article.image.caption)}`);
    if (article.image.credit !== undefined) lines.push(`  credit: ${q(article.image.credit)}`);
  }
  if (article.tags.length > 0) lines.push('tags:', ...article.tags.map((tag) => `  - ${q(tag)}`));
  if (article.author !== undefined) lines.push(`author: ${q(article.author)}`);
  const fence = fenceFor(article.code);
  lines.push('---', '', fence, article.code, fence, '', article.prose, '');
  return lines.join('\n');
}

export function siteFile(site: HostileSite, style: 'raw' | 'escaped'): string {
  const q = (text: string) => yamlQuoted(text, style);
  return [
    `name: ${q(site.name)}`,
    `description: ${q(site.description)}`,
    'language: en',
    'primary: www.presstv.ir',
    'mirrors:',
    '  - mirror.presstv.example',
    'sections:',
    '  - slug: news',
    `    title: ${q(site.newsTitle)}`,
    '  - slug: russia',
    `    title: ${q(site.russiaTitle)}`,
    '    parent: news',
    '  - slug: economy',
    '    title: Economy',
    '',
  ].join('\n');
}

/**
 * A small site: the hostile site.yaml, the hostile article, and the real articles of the sections
 * it keeps (so lists and "more from the section" mix hostile and ordinary teasers).
 */
export function hostileContent(hostile: HostileCase): ContentInput {
  const real = repositoryContent();
  const kept = real.articles
    .filter((file) => /^section: (?:russia|news|economy)$/m.test(file.text))
    .slice(0, 3);
  return {
    site: { path: 'content/site.yaml', text: siteFile(hostile.site, hostile.style) },
    articles: [
      ...kept,
      { path: HOSTILE_ARTICLE_PATH, text: articleFile(hostile.article, hostile.style, hostile.id) },
    ],
    images: real.images,
  };
}

/** The text each hostile field must show, once compile has accepted it. */
export function expectedFields(hostile: HostileCase) {
  const { article, site } = hostile;
  return {
    title: expectedText(article.title),
    summary: article.summary === undefined ? undefined : expectedText(article.summary),
    author: article.author === undefined ? undefined : expectedText(article.author),
    tags: article.tags.map(expectedText),
    image: article.image && {
      alt: expectedText(article.image.alt),
      caption: article.image.caption === undefined ? undefined : expectedText(article.image.caption),
      credit: article.image.credit === undefined ? undefined : expectedText(article.image.credit),
    },
    // The block ends with one newline. The closing fence's line break joins a trailing CR into one
    // CRLF, so it is added first; then line endings are normalised twice, as compile does: the front
    // matter's reader splits lines at CRLF and LF, and markdown-it turns what CRs remain (with an LF
    // after them, once) into LF. ("\r\r\n" is two line breaks, not three.)
    code: `${stripXmlIllegalChars(article.code)}\n`.replace(/\r\n/g, '\n').replace(/\r\n?/g, '\n'),
    siteName: expectedText(site.name),
    siteDescription: expectedText(site.description),
    newsTitle: expectedText(site.newsTitle),
    russiaTitle: expectedText(site.russiaTitle),
  };
}

export type ExpectedFields = ReturnType<typeof expectedFields>;
