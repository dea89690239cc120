// The browser's end of Forge Realtime: the Custom UI host's bridge opens
// `GET /api/realtime/subscribe?channel=…&global=1[&token=…]` for `realtime.subscribeGlobal`, and
// receives the channel's events as a server-sent event stream. A refused subscription answers its
// status and reason before any stream starts, so the bridge can reject the subscribe call.
import type { ServerResponse } from 'node:http';
import type { LocalForgeRuntime } from '../runtime.js';
import { sendError } from './http-io.js';

export function realtimeSubscribeRoute(rt: LocalForgeRuntime, res: ServerResponse, url: URL): void {
  const channelName = url.searchParams.get('channel') ?? '';
  if (channelName === '') return sendError(res, 400, "'channel' is required");
  const token = url.searchParams.get('token') ?? undefined;
  let open = true;
  const result = rt.realtime.subscribe(
    { channelName, isGlobal: url.searchParams.get('global') === '1', ...(token ? { token } : {}) },
    (event) => {
      if (open) res.write(`id: ${event.eventId}\ndata: ${JSON.stringify(event)}\n\n`);
    },
  );
  if (!result.ok) return sendError(res, result.status, result.reason);
  const { unsubscribe } = result;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  // The first line tells the bridge the subscription is in place.
  res.write(': subscribed\n\n');
  // Realtime switched off ends the stream, as a dropped WebSocket would.
  const off = rt.realtime.onDown(() => {
    end();
    res.end();
  });
  function end(): void {
    if (!open) return;
    open = false;
    off();
    unsubscribe();
  }
  res.on('close', end);
}
