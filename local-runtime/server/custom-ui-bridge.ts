// The browser side of the local Custom UI host: the script injected into a module's index.html,
// before the app's own scripts, so the REAL `@forge/bridge` finds `window.__bridge.callBridge` as
// it does inside Jira. It is a string, not a compiled function: it must reach the browser exactly as
// written (a bundler's helpers in a stringified function would not exist there).

/** What the host knows about the module and the user viewing it. */
export interface BridgeConfig {
  moduleKey: string;
  accountId: string;
  /** What `view.getContext()` answers (and what the bridge's `invoke` sends as the extension). */
  context: { extension: Record<string, unknown> };
}

/** Messages the frame posts to the host page: its content height, so the iframe fits it. */
export const RESIZE_MESSAGE = 'forge-local:resize';

const BRIDGE_SOURCE = String.raw`
(function () {
  'use strict';
  var config = __CONFIG__;
  function invokeResolver(call) {
    var url = '/api/invoke/' + encodeURIComponent(config.moduleKey) + '/' + encodeURIComponent(call.functionKey);
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        payload: call.payload === undefined ? {} : call.payload,
        accountId: config.accountId,
        extension: config.context.extension
      })
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok) {
          var value = body ? body.value : null;
          // With metadata, Forge's bridge answers { body, metadata }.
          return call.metadata ? { body: value, metadata: {} } : value;
        }
        var detail = body && body.error && body.error.message ? body.error.message : 'HTTP ' + response.status;
        // The message Forge's bridge rejects with when a resolver fails.
        var error = new Error('There was an error invoking the function - ' + detail);
        error.status = response.status;
        throw error;
      });
    });
  }
  // realtime.subscribe(Global): a server-sent event stream from the runtime. The call resolves once
  // the runtime accepted the subscription and rejects when it refused it; a stream that breaks
  // later calls the callback with an error, as a dropped connection does in Forge.
  function subscribeRealtime(request) {
    var options = request.options || {};
    var url = '/api/realtime/subscribe?channel=' + encodeURIComponent(request.channelName) +
      (request.isGlobal ? '&global=1' : '') +
      (options.token ? '&token=' + encodeURIComponent(options.token) : '');
    var controller = new AbortController();
    var closed = false;
    return fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } }).then(function (response) {
      if (!response.ok || !response.body) {
        return response.json().catch(function () { return null; }).then(function (body) {
          var detail = body && body.error && body.error.message ? body.error.message : 'HTTP ' + response.status;
          throw new Error('Realtime subscription failed: ' + detail);
        });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error('Realtime connection closed');
          buffer += decoder.decode(chunk.value, { stream: true });
          var at;
          while ((at = buffer.indexOf('\n\n')) >= 0) {
            var block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            block.split('\n').forEach(function (line) {
              if (line.indexOf('data: ') !== 0) return;
              var event = JSON.parse(line.slice(6));
              var payload = event.payload;
              try { payload = JSON.parse(payload); } catch (e) { /* a plain string payload */ }
              request.onEvent(payload);
            });
          }
          return pump();
        });
      }
      pump().catch(function (error) {
        if (!closed) request.onEvent(undefined, error instanceof Error ? error : new Error(String(error)));
      });
      return {
        unsubscribe: function () {
          closed = true;
          controller.abort();
          return Promise.resolve();
        }
      };
    });
  }
  function callBridge(name, payload) {
    switch (name) {
      case 'invoke':
        return invokeResolver(payload || {});
      case 'subscribeRealtimeChannel':
        return subscribeRealtime(payload || {});
      case 'getContext':
        return Promise.resolve(JSON.parse(JSON.stringify(config.context)));
      default:
        return Promise.reject(new Error('The local Custom UI host does not implement the bridge call "' + name + '"'));
    }
  }
  window.__bridge = { callBridge: callBridge };
  // Jira sizes a Custom UI iframe to its content; tell the host page how tall the content is.
  if (window.parent !== window && typeof ResizeObserver === 'function') {
    var post = function () {
      window.parent.postMessage({ type: '${RESIZE_MESSAGE}', height: document.documentElement.offsetHeight }, location.origin);
    };
    window.addEventListener('DOMContentLoaded', function () {
      new ResizeObserver(post).observe(document.documentElement);
      post();
    });
  }
})();
`;

/** The `<script>` element to inject; the config is JSON with `<` escaped so it cannot end the script. */
export function bridgeScript(config: BridgeConfig): string {
  const json = JSON.stringify(config)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, ' ');
  return `<script data-forge-local-bridge>${BRIDGE_SOURCE.replace('__CONFIG__', () => json)}</script>`;
}

/** Puts the bridge first in `<head>`, ahead of every app script (module scripts run later anyway). */
export function injectBridge(html: string, config: BridgeConfig): string {
  const script = bridgeScript(config);
  const head = /<head[^>]*>/i.exec(html);
  if (!head) return script + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + script + html.slice(at);
}
