// The real report page worker, on the same queue name as in the app.
export { handler } from '../../../src/producers/reports/report-worker';
