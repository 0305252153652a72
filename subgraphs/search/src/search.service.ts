import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ALL_CONFIGS,
  configOf,
  correctableWords,
  encodeSearchCursor,
  type SearchCursor,
  type SearchFilter,
} from './search-input.js';

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

export interface SearchRequest {
  readonly query: string;
  readonly filter: SearchFilter;
  readonly first: number;
  readonly after: SearchCursor | undefined;
  /** Moderators and admins also find hidden and removed posts (deleted ones never). */
  readonly includeModerated: boolean;
}

interface HitRow {
  id: string;
  /** The `real` rank as PostgreSQL prints it: exact, so that a cursor built from it compares equal. */
  rank: string;
  title: string;
  body: string | null;
}

interface ResultRow {
  total: number;
  languages: FacetCount[];
  tags: FacetCount[];
  hits: HitRow[];
}

const MAX_TAG_FACETS = 20;
const MARKS = 'StartSel=<mark>, StopSel=</mark>';
const TITLE_HEADLINE = `HighlightAll=true, ${MARKS}`;
const BODY_HEADLINE = `MaxFragments=2, MaxWords=24, MinWords=12, ShortWord=3, FragmentDelimiter=" … ", ${MARKS}`;
const escapeHtml = (column: string) => `replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;

/**
 * Answers `search` from the read model in one statement: each post is matched against the query
 * parsed with its own language's configuration (`websearch_to_tsquery` per configuration; configurations
 * that parse it alike share one GIN scan), ranked with `ts_rank_cd`, counted and faceted over every
 * match, and highlighted (`ts_headline`) for the page only. Pages continue after (rank, post id).
 */
export class SearchService {
  constructor(private readonly em: EntityManager) {}

  async search(request: SearchRequest) {
    let result = await this.run(request.query, request);
    let correctedQuery: string | null = null;
    if (result.total === 0) {
      const corrected = await this.correct(request.query);
      if (corrected) {
        const retried = await this.run(corrected, request);
        // Only a correction that finds something is worth showing (and words of hidden posts stay unsaid).
        if (retried.total > 0) {
          result = retried;
          correctedQuery = corrected;
        }
      }
    }
    const page = result.hits.slice(0, request.first);
    const last = page[page.length - 1];
    return {
      totalCount: result.total,
      edges: page.map((hit) => ({
        cursor: encodeSearchCursor({ rank: hit.rank, postId: hit.id }),
        node: {
          post: { __typename: 'Post', id: hit.id },
          rank: Number(hit.rank),
          highlights: { title: hit.title, body: hit.body },
        },
      })),
      pageInfo: {
        hasNextPage: result.hits.length > request.first,
        endCursor: last ? encodeSearchCursor({ rank: last.rank, postId: last.id }) : null,
      },
      facets: { languages: result.languages, tags: result.tags },
      correctedQuery,
    };
  }

  /**
   * Typo tolerance for short plain queries: each word becomes the most similar word of the
   * vocabulary (trigram similarity, `pg_trgm`), or stays; null when nothing would change.
   */
  private async correct(query: string): Promise<string | null> {
    const words = correctableWords(query);
    if (!words) return null;
    const rows = await this.em.execute<{ normalized: string; similar: string | null }[]>(
      `select w.normalized, "search".similar_word(w.normalized) as similar
       from (select lower("search".unaccent_text(value)) as normalized, ordinality
             from json_array_elements_text(?::json) with ordinality) w
       order by w.ordinality`,
      [JSON.stringify(words)],
    );
    if (rows.every((row) => row.similar === null || row.similar === row.normalized)) return null;
    return rows.map((row) => row.similar ?? row.normalized).join(' ');
  }

  /**
   * The query parsed by each configuration that may be involved, grouped by result: configurations
   * that parse it alike share one index scan. Queries with nothing indexable (only negations,
   * `querytree` 'T') would scan everything and are dropped, as are empty ones (only stop words).
   */
  private async parse(query: string, filter: SearchFilter): Promise<{ query: string; configs: string[] }[]> {
    const configs = filter.languages?.length ? [...new Set(filter.languages.map(configOf))] : ALL_CONFIGS;
    return this.em.execute<{ query: string; configs: string[] }[]>(
      `select query::text as query, array_agg(cfg::text order by cfg::text) as configs
       from (select c::regconfig as cfg, websearch_to_tsquery(c::regconfig, ?) as query
             from json_array_elements_text(?::json) c) parsed
       where numnode(query) > 0 and querytree(query) <> 'T'
       group by query
       order by 1`,
      [query, JSON.stringify(configs)],
    );
  }

  private async run(query: string, request: SearchRequest): Promise<ResultRow> {
    const { filter } = request;
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (condition: string, ...values: unknown[]) => {
      conditions.push(condition);
      params.push(...values);
    };
    // An empty list matches nothing (and `in ()` is not SQL).
    if (filter.languages) where(filter.languages.length ? 'd.language in (?)' : 'false', ...lists(filter.languages));
    if (filter.authorIds) where(filter.authorIds.length ? 'd.author_id in (?)' : 'false', ...lists(filter.authorIds));
    if (filter.tags) where(filter.tags.length ? 'd.tags && array[?]::text[]' : 'false', ...lists(filter.tags));
    if (filter.createdAfter) where('d.created_at >= ?::timestamptz', filter.createdAfter.toISOString());
    if (filter.createdBefore) where('d.created_at < ?::timestamptz', filter.createdBefore.toISOString());
    const statuses = request.includeModerated ? `'VISIBLE', 'HIDDEN', 'REMOVED'` : `'VISIBLE'`;
    const parsed = await this.parse(query, filter);
    if (parsed.length === 0) return { total: 0, languages: [], tags: [], hits: [] };
    const filters = conditions.map((condition) => `and ${condition}`).join(' ');
    // One branch per distinct parsed query, with the query as a constant: the planner then estimates
    // its selectivity from the column statistics (from a join it cannot, and chose sequential scans).
    const branches = parsed.map(
      () => `
        select d.post_id, d.language, d.tags, d.ts_config, x.query, ts_rank_cd(d.document, x.query) as rank
        from "search"."search_document" d, (select ?::tsquery as query) x
        where d.document @@ ?::tsquery and d.ts_config = any(?::regconfig[])
          and d.deleted_at is null and d.created_at is not null and d.status in (${statuses}) ${filters}`,
    );
    const branchParams = parsed.flatMap((p) => [p.query, p.query, `{${p.configs.join(',')}}`, ...params]);
    const after = request.after ? 'where (rank, post_id) < (?::real, ?::uuid)' : '';
    const sql = `
      with matches as materialized (${branches.join(' union all ')}),
      page as (
        select post_id, rank, query, ts_config from matches ${after}
        order by rank desc, post_id desc
        limit ?
      )
      select
        (select count(*)::int from matches) as total,
        (select coalesce(json_agg(json_build_object('value', language, 'count', n) order by n desc, language), '[]')
           from (select language, count(*)::int as n from matches group by language) l) as languages,
        (select coalesce(json_agg(json_build_object('value', tag, 'count', n) order by n desc, tag), '[]')
           -- unnest in the select list: several times faster than a lateral unnest per match.
           from (select tag, count(*)::int as n from (select unnest(tags) as tag from matches) u
                 group by tag order by n desc, tag limit ${MAX_TAG_FACETS}) t) as tags,
        (select coalesce(json_agg(json_build_object(
                  'id', p.post_id,
                  'rank', p.rank::text,
                  'title', ts_headline(p.ts_config, ${escapeHtml('d.title')}, p.query, '${TITLE_HEADLINE}'),
                  'body', case when d.premium then null
                          else ts_headline(p.ts_config, ${escapeHtml('d.body')}, p.query, '${BODY_HEADLINE}') end
                ) order by p.rank desc, p.post_id desc), '[]')
           from page p join "search"."search_document" d on d.post_id = p.post_id) as hits`;
    const [row] = await this.em.execute<ResultRow[]>(sql, [
      ...branchParams,
      ...(request.after ? [request.after.rank, request.after.postId] : []),
      request.first + 1,
    ]);
    return row ?? { total: 0, languages: [], tags: [], hits: [] };
  }
}

/** MikroORM expands an array parameter into a comma-separated list of literals. */
function lists(values: readonly string[]): unknown[] {
  return values.length ? [[...values]] : [];
}
