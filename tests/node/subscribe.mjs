// A real ActionCable client (Rails' own @rails/actioncable, under Node with the `ws` package):
// subscribes to RoomChannel and prints one JSON line per happening, for tests/realtime/test_actioncable_js.py.
//
// Usage: node subscribe.mjs <cable url> <pubsub_token> <account_id> <user_id>
// Prints {"status":"connected"} once the subscription is confirmed, {"status":"rejected"} when refused,
// {"status":"disconnected"} when the connection drops, and {"received": <message>} for each message.
import WebSocket from "ws";
import ActionCable from "@rails/actioncable";

// @rails/actioncable is written for browsers: it listens for page visibility on the global scope.
globalThis.addEventListener ??= () => {};
globalThis.removeEventListener ??= () => {};
globalThis.document ??= { visibilityState: "visible" };
ActionCable.adapters.WebSocket = WebSocket;

const [url, pubsubToken, accountId, userId] = process.argv.slice(2);
if (!url || !pubsubToken || !accountId || !userId) {
  console.error("usage: node subscribe.mjs <cable url> <pubsub_token> <account_id> <user_id>");
  process.exit(2);
}
const lifetimeMs = Number(process.env.CABLE_CLIENT_LIFETIME_MS || 120000);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const consumer = ActionCable.createConsumer(url);
consumer.subscriptions.create(
  // The same identifier Chatwoot's dashboard sends.
  { channel: "RoomChannel", pubsub_token: pubsubToken, account_id: Number(accountId), user_id: Number(userId) },
  {
    connected() {
      print({ status: "connected" });
      this.perform("update_presence");
    },
    rejected() {
      print({ status: "rejected" });
    },
    disconnected() {
      print({ status: "disconnected" });
    },
    received(message) {
      print({ received: message });
    },
  },
);

// Never outlive a test that forgot to end us.
setTimeout(() => {
  consumer.disconnect();
  process.exit(0);
}, lifetimeMs).unref();
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    consumer.disconnect();
    process.exit(0);
  });
}
