/**
 * Search latency at 100,000 posts: a fixed mix of queries (words, phrase, OR, exclusion, Russian
 * stemming, filters, a typo that takes the correction path, a second page) sent one at a time, directly
 * to the search subgraph and through the gateway of the embedded stack; p50/p95/p99 per target.
 *   npm run bench:search
 * The read model is seeded directly with SQL (batched `json_to_recordset` inserts of generated posts,
 * GIN index built afterwards), not through content and events: this measures search, not indexing.
 * The posts exist only in the search read model, so the operation selects only search's own fields
 * (`post { id }` needs no other subgraph). Options (env): BENCH_POSTS (100000), BENCH_ROUNDS (30),
 * BENCH_CONCURRENCY (1).
 */
import { createLogger } from '@supergraph/logger';
import { startStack } from '@supergraph/stack';

const POSTS = Number(process.env.BENCH_POSTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);

const EN = `
  graph query schema federation gateway subgraph resolver cache index search ranking latency
  throughput database postgres redis stream event consumer producer outbox migration transaction lock
  replica shard cluster kubernetes container deploy release version upgrade rollback monitor metric
  alert dashboard trace log error failure retry timeout budget limit quota policy
  token identity permission role admin user garden tomato flower tree forest river
  mountain ocean island desert city village street bridge tower music guitar piano
  violin concert album song singer dancer theatre movie camera photo painting museum
  coffee tea bread cheese pasta pizza soup salad recipe kitchen dinner breakfast
  lunch market bakery football tennis running cycling swimming climbing hiking skiing sailing
  chess marathon stadium coach science physics chemistry biology planet star galaxy telescope
  rocket satellite orbit comet asteroid history empire kingdom castle battle treaty revolution
  election parliament law court judge lawyer travel journey flight airport train station
  hotel ticket passport luggage map guide beach holiday health doctor hospital medicine
  vaccine fitness sleep diet nutrition exercise therapy patient nurse school student teacher
  lesson exam university library book novel poetry author writer story chapter money
  bank market price inflation budget salary invoice payment tax stock bond investor
  startup weather rain snow storm wind cloud sunshine winter summer autumn spring
  season climate temperature animal dog cat horse bird fish whale dolphin tiger
  lion bear wolf fox rabbit owl eagle butterfly computer laptop phone keyboard
  screen network router server storage memory processor compiler language grammar word sentence
  translation dictionary alphabet accent dialect speech listening design pattern architecture component interface
  module package library framework plugin service security encryption password certificate firewall attack
  vulnerability patch audit compliance planning planner operation operator function variable constant parameter
  argument return value
`
  .trim()
  .split(/\s+/);
const RU = `
  кошка собака дом город улица река море лес гора поле небо солнце
  луна звезда ветер дождь снег книга школа учитель ученик урок работа деньги
  банк магазин рынок хлеб молоко сыр чай кофе обед ужин поезд вокзал
  самолёт аэропорт гостиница билет дорога машина велосипед музыка песня театр кино фильм
  компьютер программа сервер база данные запрос поиск индекс сеть телефон экран клавиатура
  ошибка история война мир страна народ язык слово письмо газета журнал новости
  погода зима лето весна осень врач больница лекарство здоровье спорт футбол хоккей
  шахматы бег плавание семья друг ребёнок мама
`
  .trim()
  .split(/\s+/);
const DE = `
  haus stadt straße fluss berg wald wasser brot käse kaffee bier zug
  bahnhof flughafen schule lehrer buch zeitung arbeit geld bank markt musik lied
  theater film rechner programm suche datenbank fehler wetter regen schnee sonne winter
  sommer herbst frühling arzt krankenhaus gesundheit fußball freund
`
  .trim()
  .split(/\s+/);
const PL = `
  dom miasto ulica rzeka góra las woda chleb ser kawa herbata pociąg
  dworzec lotnisko szkoła nauczyciel książka gazeta praca pieniądze bank rynek muzyka piosenka
  teatr film komputer wyszukiwanie pogoda deszcz śnieg słońce zima lato jesień wiosna
  lekarz szpital zdrowie piłka przyjaciel żółw źródło
`
  .trim()
  .split(/\s+/);
const TAGS = `
  graphql postgres redis kubernetes travel food music sports science history health finance
  weather animals books movies design security programming databases gardening photography cooking running
  chess politics education startups climate space art
`
  .trim()
  .split(/\s+/);

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same corpus. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A corpus with a long tail: each word is a real word of the post's language with probability
 * `realShare` (uniform over a few hundred, so a real word is in roughly 1–3 % of posts), otherwise one
 * of ~20,000 synthetic words drawn with a skew (a few frequent, many rare), as in natural text.
 */
function corpus(count: number) {
  const next = random(42);
  const syllables = [...'bcdfgklmnprstvz'].flatMap((c) => [...'aeiou'].map((v) => c + v));
  const synthetic: string[] = [];
  for (const a of syllables) for (const b of syllables) synthetic.push(a + b);
  while (synthetic.length < 20_000)
    synthetic.push(Array.from({ length: 3 }, () => syllables[Math.floor(next() * 75)]).join(''));
  const real: Record<string, string[]> = { en: EN, ru: RU, de: DE, pl: PL };
  const pick = <T>(list: readonly T[], skew = 1) => list[Math.floor(Math.pow(next(), skew) * list.length)]!;
  const words = (language: string, n: number, realShare: number) =>
    Array.from({ length: n }, () => (next() < realShare ? pick(real[language]!) : pick(synthetic, 2.5))).join(' ');
  const start = Date.parse('2025-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const slot = i % 20;
    const language = slot < 14 ? 'en' : slot < 17 ? 'ru' : slot < 19 ? 'de' : 'pl';
    const title = words(language, 3 + (i % 5), 0.5);
    const hex = (i + 1).toString(16).padStart(12, '0');
    const at = new Date(start + i * 300_000).toISOString();
    return {
      post_id: `00000000-0000-7000-8000-${hex}`,
      author_id: `00000000-0000-7000-9000-${(i % 1000).toString(16).padStart(12, '0')}`,
      title: title.charAt(0).toUpperCase() + title.slice(1),
      body: `${words(language, 30 + (i % 60), 0.15)}.`,
      tags: [...new Set(Array.from({ length: 1 + (i % 3) }, () => pick(TAGS, 1.5)))],
      language,
      premium: i % 10 === 0,
      created_at: at,
    };
  });
}

const stack = await startStack({ logger: createLogger({ service: 'bench', level: 'error' }), gatewayPort: 0 });
try {
  const em = stack.subgraphs.search.orm.em.fork();
  const seedStarted = performance.now();
  const posts = corpus(POSTS);
  // Building the GIN index once after loading is much faster than maintaining it row by row.
  await em.execute(`drop index "search"."search_document_document_idx"`);
  for (let i = 0; i < posts.length; i += 2_000) {
    await em.execute(
      `insert into "search"."search_document"
         (post_id, author_id, title, body, tags, language, premium, created_at, content_version)
       select post_id, author_id, title, body, tags, language, premium, created_at, created_at
       from json_to_recordset(?::json) as p(post_id uuid, author_id uuid, title text, body text, tags text[],
                                            language text, premium boolean, created_at timestamptz)`,
      [JSON.stringify(posts.slice(i, i + 2_000))],
    );
  }
  await em.execute(
    `create index "search_document_document_idx" on "search"."search_document" using gin ("document") where "deleted_at" is null`,
  );
  await em.execute(`insert into "search"."search_word" (word)
    select word from ts_stat('select to_tsvector(''search.simple'', title || '' '' || array_to_string(tags, '' '') || '' '' || body) from "search"."search_document"')
    where length(word) between 3 and 32 on conflict do nothing`);
  await em.execute(`vacuum analyze "search"."search_document"`);
  await em.execute(`vacuum analyze "search"."search_word"`);
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  const operation = `query Search($q: String!, $filter: SearchFilter, $after: String) {
    search(query: $q, filter: $filter, first: 20, after: $after) {
      totalCount correctedQuery
      edges { cursor node { rank post { id } highlights { title body } } }
      pageInfo { hasNextPage endCursor }
      facets { languages { value count } tags { value count } }
    }
  }`;
  type Variables = { q: string; filter?: Record<string, unknown>; after?: string };
  type Body = { data?: { search: { totalCount: number; pageInfo: { endCursor: string | null } } }; errors?: unknown[] };
  const send = async (url: string, variables: Variables): Promise<Body> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: operation, variables }),
    });
    const body = (await response.json()) as Body;
    if (!response.ok || body.errors) throw new Error(`search failed (${response.status}): ${JSON.stringify(body)}`);
    return body;
  };
  const page1 = await send(stack.subgraphUrls.search, { q: 'security' });
  const mix: [string, Variables][] = [
    ['one word', { q: 'federation' }],
    ['two words', { q: 'database migration' }],
    // Two adjacent words of one post's title: a phrase that exists.
    ['phrase', { q: `"${posts[500]!.title.split(' ').slice(1, 3).join(' ')}"` }],
    ['OR', { q: 'coffee OR tea' }],
    ['exclusion', { q: 'garden -tomato' }],
    ['Russian stem', { q: 'кошка' }],
    ['language filter', { q: 'telescope', filter: { languages: ['en'] } }],
    ['tag filter', { q: 'music', filter: { tags: ['music'] } }],
    ['date filter', { q: 'kubernetes deploy', filter: { createdAfter: posts[posts.length >> 1]!.created_at } }],
    ['typo (corrected)', { q: 'fedaration' }],
    ['rare word', { q: 'kapu' }],
    ['page 2', { q: 'security', after: page1.data!.search.pageInfo.endCursor! }],
  ];
  const matches: string[] = [];
  for (const [name, variables] of mix)
    matches.push(`${name} ${(await send(stack.subgraphUrls.search, variables)).data!.search.totalCount}`);

  const measure = async (url: string) => {
    for (const [, variables] of mix) await send(url, variables); // warm-up
    const samples: number[] = [];
    const byQuery = new Map<string, number[]>(mix.map(([name]) => [name, []]));
    let next = 0;
    const jobs = Array.from({ length: ROUNDS }, () => mix).flat();
    const worker = async () => {
      while (next < jobs.length) {
        const [name, variables] = jobs[next++]!;
        const t0 = performance.now();
        await send(url, variables);
        samples.push(performance.now() - t0);
        byQuery.get(name)!.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const at = (list: number[], p: number) => {
      const sorted = [...list].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
    };
    return {
      n: samples.length,
      p50: at(samples, 50),
      p95: at(samples, 95),
      p99: at(samples, 99),
      max: at(samples, 100),
      perQuery: [...byQuery].map(([name, list]) => `${name} ${at(list, 50)}`).join(', '),
    };
  };
  const direct = await measure(stack.subgraphUrls.search);
  const gateway = await measure(stack.gatewayUrl);
  console.log(`\n${POSTS} posts seeded in ${seedSeconds.toFixed(1)} s; matches per query: ${matches.join(', ')}`);
  console.log(
    `${ROUNDS} rounds of ${mix.length} queries, concurrency ${CONCURRENCY}, first: 20 with facets and highlights`,
  );
  console.log('| target | requests | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|');
  for (const [name, r] of [
    ['search subgraph (direct)', direct],
    ['gateway', gateway],
  ] as const)
    console.log(`| ${name} | ${r.n} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} |`);
  console.log(`\np50 ms per query, direct: ${direct.perQuery}\np50 ms per query, gateway: ${gateway.perQuery}`);
} finally {
  await stack.stop();
}
