import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '@supergraph/logger';

/**
 * A supergraph read from a file and reloaded when the file changes. The folder is watched, not the
 * file, so that editors' and deploy tools' atomic renames are seen too. A file that does not load
 * (unreadable, not a valid supergraph) leaves the running supergraph in place, and says why.
 */
export function supergraphFromFile(
  file: string,
  logger: Logger,
  options: {
    debounceMs?: number;
    onReload?: (outcome: 'updated' | 'rejected') => void;
    /** Turns the file's SDL into the gateway's; `commit` runs once the gateway accepted it. */
    prepare?: (sdl: string) => { sdl: string; commit: () => void };
  } = {},
): SupergraphManager {
  return {
    async initialize({ update }) {
      const prepare = options.prepare ?? ((sdl: string) => ({ sdl, commit: () => undefined }));
      const raw = await readFile(file, 'utf8');
      const initial = prepare(raw);
      initial.commit();
      const supergraphSdl = initial.sdl;
      let last = raw;
      let timer: NodeJS.Timeout | undefined;
      const reload = async () => {
        let next: string;
        try {
          next = await readFile(file, 'utf8');
        } catch (error) {
          logger.error({ err: error, file }, 'supergraph file unreadable; keeping the current supergraph');
          options.onReload?.('rejected');
          return;
        }
        if (next === last) return;
        try {
          const prepared = prepare(next);
          update(prepared.sdl);
          prepared.commit();
          last = next;
          logger.info({ file }, 'supergraph reloaded');
          options.onReload?.('updated');
        } catch (error) {
          logger.error({ err: error, file }, 'supergraph file rejected; keeping the current supergraph');
          options.onReload?.('rejected');
        }
      };
      const watcher: FSWatcher = watch(path.dirname(file), (_event, name) => {
        if (name !== null && name !== path.basename(file)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void reload(), options.debounceMs ?? 100);
      });
      return {
        supergraphSdl,
        cleanup: async () => {
          clearTimeout(timer);
          watcher.close();
        },
      };
    },
  };
}
