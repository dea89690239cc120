// The real consumer, on the same queue name as in the app.
export { handler } from '../../../src/consumer/index';
