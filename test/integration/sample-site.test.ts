// The repository's sample content as published, read by many surfaces' tests: they only read it,
// so they run in one workerd, after one import of the worker and one publish (publishSample),
// instead of paying for those once per file. Each surface keeps its own file in sample-site/;
// the order matters where a file asserts a first request is a cache miss (edge-cache first).
// A file that publishes anything else, or changes what is stored, stays a test file of its own.
import { muteExpectedLogLines } from '../support/expected-logs';
import './sample-site/edge-cache.cases';
import './sample-site/feeds.cases';
import './sample-site/api.cases';
import './sample-site/pages.cases';
import './sample-site/api-contract.cases';
import './sample-site/hostile-requests.cases';
import './sample-site/sharing.cases';
import './sample-site/feeds-mirrors.cases';
import './sample-site/service-worker.cases';

muteExpectedLogLines();
