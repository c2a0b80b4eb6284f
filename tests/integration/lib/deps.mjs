// Re-exports of the npm packages, so code outside tests/integration (tests/compat) can use
// the dependencies locked in tests/integration/package-lock.json.
export { Centrifuge } from 'centrifuge';
export { Centrifuge as CentrifugeProtobuf } from 'centrifuge/build/protobuf';
export { CentClient } from 'cent.js';
export { default as WebSocket } from 'ws';
