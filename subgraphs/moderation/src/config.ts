import { env, loadConfig, type ConfigOf } from '@supergraph/config';

/** Moderation's own settings (besides the kit's `subgraphConfigSpec`), read when a server is created. */
export const moderationConfigSpec = {
  MODERATION_REMOVAL_THRESHOLD: env.int({
    default: 3,
    min: 1,
    description: 'removed items after which an author is flagged for admin review (AuthorFlagged)',
  }),
  MODERATION_CLAIM_TTL_MINUTES: env.int({
    default: 30,
    min: 1,
    description: 'minutes after which another moderator may take over a claimed case',
  }),
  MODERATION_REGEX_CHECK_TIMEOUT_MS: env.int({
    default: 2_000,
    min: 100,
    max: 30_000,
    description: 'time budget of the ReDoS analysis of a REGEX rule; a pattern not proven safe in time is refused',
  }),
};

export type ModerationConfig = ConfigOf<typeof moderationConfigSpec>;

export function loadModerationConfig(source: NodeJS.ProcessEnv = process.env): ModerationConfig {
  return loadConfig(moderationConfigSpec, source);
}
