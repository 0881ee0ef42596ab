/** Test fixtures for filters and the analyser: `@tm/filters/testing`, kept out of the package's main entry. */
export { applicationFixture, epochDays, moscowTime } from './application-fixture.js';
export {
  abramAnswer,
  casperProfileFixture,
  type FakeAnswers,
  type FakeCalls,
  fakeServices,
} from './fake-services.js';
