// `npm run content:synth -- --count N --out DIR`: a synthetic archive for benchmarks and scale
// tests. Plausible articles (front matter per the contract) sharing a pool of generated photos,
// deterministic for a given seed; never committed.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { compileSiteConfig } from '../../content/compile';
import { slugify } from '../../content/slug';
import { isoSeconds } from '../../shared/iso-time';
import { seededRandom } from '../../shared/random';

const USAGE = `Usage: npm run content:synth -- --count N --out DIR [--seed S] [--site FILE] [--images N]

  --count N     number of articles (default 10000)
  --out DIR     folder to (re)create: DIR/site.yaml, DIR/articles/yyyy/mm/{id}-{slug}.md and
                DIR/images/synth-{n}.jpg
  --seed S      integer seed; the same seed and count give byte-identical files (default 1)
  --site FILE   site configuration to copy (default content/site.yaml)
  --images N    distinct photos the articles share, four in five articles showing one (default 300)`;

/** Widths of the generated photos: some narrower than the largest rendition, most wider. */
const PHOTO_WIDTHS = [800, 1200, 1600, 2400];

/** Synthetic ids start well above the sample content's, so both can be published together. */
const FIRST_ID = 1_000_001;
const FIRST_PUBLISHED_MS = Date.UTC(2014, 0, 1);
const LAST_PUBLISHED_MS = Date.UTC(2026, 0, 1);

const SUBJECTS = [
  'Parliament',
  'The central bank',
  'OPEC',
  'The foreign minister',
  'A research team',
  'The national team',
  'The farmers union',
  'The city council',
  'The regional governor',
  'The space agency',
  'The port authority',
  'The energy ministry',
];
const VERBS = ['approves', 'rejects', 'debates', 'announces', 'delays', 'expands', 'reviews', 'defends'];
const OBJECTS = [
  'new budget for reconstruction',
  'plan to raise interest rates',
  'talks on regional security',
  'record wheat harvest',
  'satellite launch schedule',
  'cup qualifying squad',
  'water sharing agreement',
  'rail link to the coast',
  'power grid upgrade',
  'export quotas for next year',
  'survey of the Caspian shore',
  'reform of the customs code',
];
const PLACES = [
  'Tehran',
  'Moscow',
  'Baghdad',
  'Beirut',
  'Doha',
  'Kabul',
  'Damascus',
  'Ankara',
  'Baku',
  'Muscat',
];
const SENTENCES = [
  'Officials said the decision followed months of consultation with experts and local representatives.',
  'The proposal is expected to be reviewed again before the end of the year.',
  'Critics argued that the timetable was too ambitious given the current economic conditions.',
  'Supporters said the measure would create jobs and improve services in the region.',
  'Figures released on Monday showed a steady rise compared with the same period last year.',
  'Analysts cautioned that the outcome would depend on prices on international markets.',
  'A spokesperson declined to give further details, saying a statement would follow.',
  'Residents interviewed in the capital expressed cautious optimism about the plan.',
  'The announcement came after a meeting that lasted well into the night.',
  'Similar initiatives in neighbouring countries have produced mixed results.',
  'Negotiators are due to meet again next week to settle the remaining questions.',
  'The ministry said it would publish a full report within thirty days.',
];
const TAGS = [
  'Energy',
  'Diplomacy',
  'Markets',
  'Football',
  'Space',
  'Climate',
  'Trade',
  'Health',
  'Transport',
];
const AUTHORS = ['Staff writer', 'Press TV Newsroom', 'Our correspondent'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function paragraph(random: () => number): string {
  const count = 3 + Math.floor(random() * 3);
  return Array.from({ length: count }, () => pick(random, SENTENCES)).join(' ');
}

const yamlString = (text: string) => JSON.stringify(text);

function renderArticle(
  random: () => number,
  id: number,
  published: Date,
  sections: string[],
  images: string[],
) {
  const title = `${pick(random, SUBJECTS)} ${pick(random, VERBS)} ${pick(random, OBJECTS)} in ${pick(random, PLACES)}`;
  const section = pick(random, sections);
  const tags = [...new Set([pick(random, TAGS), pick(random, TAGS)])];
  const paragraphs = Array.from({ length: 3 + Math.floor(random() * 4) }, () => paragraph(random));
  const lines = [
    '---',
    `id: ${id}`,
    `title: ${yamlString(title)}`,
    `section: ${section}`,
    `published: ${isoSeconds(published)}`,
  ];
  if (random() < 0.1) {
    const updated = new Date(published.getTime() + Math.floor(random() * 86_400_000));
    lines.push(`updated: ${isoSeconds(updated)}`);
  }
  if (images.length > 0 && random() < 0.8) {
    lines.push(
      'image:',
      `  src: ${pick(random, images)}`,
      `  alt: ${yamlString(`Photo illustrating: ${title}`)}`,
      '  credit: Press TV',
    );
  }
  lines.push('tags:', ...tags.map((tag) => `  - ${tag}`));
  if (random() < 0.5) lines.push(`author: ${pick(random, AUTHORS)}`);
  lines.push('---', '', ...paragraphs.flatMap((p) => [p, '']));
  if (random() < 0.3) lines.push(`## What comes next`, '', paragraph(random), '');
  return { title, body: lines.join('\n') };
}

/**
 * A 16:9 JPEG of soft shapes over a gradient: it compresses like a photograph (neither a flat colour
 * nor noise), so encoding it costs about what a real picture costs.
 */
function syntheticPhoto(random: () => number): Promise<Buffer> {
  const width = pick(random, PHOTO_WIDTHS);
  const height = Math.round((width * 9) / 16);
  const colour = () =>
    `hsl(${Math.floor(random() * 360)},${40 + Math.floor(random() * 40)}%,${30 + Math.floor(random() * 40)}%)`;
  const shapes = Array.from({ length: 14 }, () => {
    const r = Math.floor(random() * height * 0.3) + 10;
    return `<circle cx="${Math.floor(random() * width)}" cy="${Math.floor(random() * height)}" r="${r}" fill="${colour()}" fill-opacity="0.7"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x2="1" y2="1"><stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient><filter id="b"><feGaussianBlur stdDeviation="${2 + Math.floor(random() * 6)}"/></filter></defs><rect width="100%" height="100%" fill="url(#g)"/><g filter="url(#b)">${shapes.join('')}</g></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '10000' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      site: { type: 'string', default: 'content/site.yaml' },
      images: { type: 'string', default: '300' },
      help: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.count);
  const imageCount = Number(values.images);
  if (values.help || !values.out || !Number.isInteger(count) || count < 1 || !Number.isInteger(imageCount)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const siteText = await readFile(values.site, 'utf8');
  const site = compileSiteConfig({ path: values.site, text: siteText });
  const sections = site.sections.map((s) => s.slug);
  const out = values.out;
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'articles'), { recursive: true });
  await mkdir(join(out, 'images'), { recursive: true });
  await copyFile(values.site, join(out, 'site.yaml'));

  const random = seededRandom(Number(values.seed));
  const images: string[] = [];
  for (let n = 1; n <= imageCount; n++) {
    const name = `synth-${n}.jpg`;
    await writeFile(join(out, 'images', name), await syntheticPhoto(random));
    images.push(`images/${name}`);
    if (n % 100 === 0 || n === imageCount) console.log(`content:synth: ${n}/${imageCount} images`);
  }

  const spanMs = LAST_PUBLISHED_MS - FIRST_PUBLISHED_MS;
  const madeDirs = new Set<string>();
  for (let i = 0; i < count; i++) {
    // Evenly spread over the years with jitter; ids grow with time, as a newsroom's do.
    const base = FIRST_PUBLISHED_MS + Math.floor((spanMs * i) / count);
    const jitter = Math.floor((random() * spanMs) / count);
    const published = new Date(Math.floor((base + jitter) / 60_000) * 60_000);
    const id = FIRST_ID + i;
    const { title, body } = renderArticle(random, id, published, sections, images);
    const dir = join(
      out,
      'articles',
      String(published.getUTCFullYear()),
      String(published.getUTCMonth() + 1).padStart(2, '0'),
    );
    if (!madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    await writeFile(join(dir, `${id}-${slugify(title).toLowerCase().slice(0, 60)}.md`), body);
    if ((i + 1) % 2000 === 0 || i + 1 === count) console.log(`content:synth: ${i + 1}/${count}`);
  }
  console.log(`content:synth: wrote ${count} articles and site.yaml to ${out}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
