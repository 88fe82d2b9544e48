import { useCallback, useEffect, useState } from "react";

import type { AppState, ChangeResult } from "../shared/app-state.js";
import type { SettingsIssue } from "../shared/settings-errors.js";
import type { StatsSnapshot } from "../shared/stats.js";

/** Returns the app's state, kept up to date by main's events. */
export function useAppState(): AppState | undefined {
  const [state, setState] = useState<AppState>();
  useEffect(() => {
    let active = true;
    const unsubscribe = window.shield.onState((next) => {
      if (active) setState(next);
    });
    void window.shield.getState().then((initial) => {
      if (active) setState((current) => current ?? initial);
    });
    return () => {
      active = false;
      unsubscribe();
    };
  }, []);
  return state;
}

/** Returns the latest stats snapshot from the engine. */
export function useStats(): StatsSnapshot | undefined {
  const [stats, setStats] = useState<StatsSnapshot>();
  useEffect(() => window.shield.onStats(setStats), []);
  return stats;
}

export interface Change {
  /** Runs a change; resolves with whether it was applied. */
  run(action: () => Promise<ChangeResult>): Promise<boolean>;
  issues: SettingsIssue[];
  pending: boolean;
  clear(): void;
}

/** Runs changes and keeps the issues of the last one that was rejected. */
export function useChange(): Change {
  const [issues, setIssues] = useState<SettingsIssue[]>([]);
  const [pending, setPending] = useState(false);
  const run = useCallback(async (action: () => Promise<ChangeResult>) => {
    setPending(true);
    try {
      const result = await action();
      setIssues(result.ok ? [] : result.issues);
      return result.ok;
    } catch (error) {
      setIssues([{ path: "", message: String(error) }]);
      return false;
    } finally {
      setPending(false);
    }
  }, []);
  const clear = useCallback(() => setIssues([]), []);
  return { run, issues, pending, clear };
}

/** Returns the messages of the issues on `path` or inside it. */
export function issuesAt(
  issues: SettingsIssue[],
  ...paths: string[]
): string[] {
  return issues
    .filter((issue) =>
      paths.some(
        (path) =>
          issue.path === path ||
          issue.path.startsWith(`${path}.`) ||
          issue.path.startsWith(`${path}[`),
      ),
    )
    .map((issue) => issue.message);
}
