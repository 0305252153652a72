import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';

/** How a subscription ended: completed by the server, or an error (a list of GraphQL errors, or a close). */
export type SubscriptionEnd = { completed: true } | { error: unknown };

export interface WsSubscription {
  /** Results received so far, in order. */
  readonly events: ExecutionResult[];
  /** Settles when the subscription ends. */
  readonly done: Promise<SubscriptionEnd>;
  /** How it ended, or undefined while it runs. */
  ended(): SubscriptionEnd | undefined;
  unsubscribe(): void;
}

/**
 * A graphql-ws client as tests use it: the token in `connection_init`, no retries (a test sees every
 * close), `onClosed` told the close code. The caller disposes it.
 */
export function wsClient(url: string, token?: string, onClosed?: (code: number) => void): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    ...(onClosed ? { on: { closed: (event) => onClosed((event as { code: number }).code) } } : {}),
  });
}

/** Subscribes and records every result and how the subscription ends. */
export function subscribeWs(client: Client, query: string, variables: Record<string, unknown> = {}): WsSubscription {
  const events: ExecutionResult[] = [];
  let end: SubscriptionEnd | undefined;
  let unsubscribe = () => undefined as void;
  const done = new Promise<SubscriptionEnd>((resolve) => {
    const settle = (value: SubscriptionEnd) => resolve((end = value));
    unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (result) => void events.push(result as ExecutionResult),
        error: (error) => settle({ error }),
        complete: () => settle({ completed: true }),
      },
    );
  });
  return { events, done, ended: () => end, unsubscribe: () => unsubscribe() };
}
