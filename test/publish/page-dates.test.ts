// Publish renders article pages and list cards in Node; the worker renders the rest of the page.
// Dates must come out the same in both, whatever ICU data each runtime carries.
import { describe, expect, it } from 'vitest';
import { formatDay, formatLongDate, formatShortDate } from '../../src/views/format';

describe('dates rendered by publish', () => {
  it('are the ones the worker writes, midnight and noon included', () => {
    expect(formatLongDate('2022-01-18T00:05:00Z')).toBe('Tuesday, 18 January 2022 12:05 AM UTC');
    expect(formatLongDate('2022-01-18T12:05:00Z')).toBe('Tuesday, 18 January 2022 12:05 PM UTC');
    expect(formatLongDate('2022-09-03T21:40:59Z')).toBe('Saturday, 3 September 2022 9:40 PM UTC');
    expect(formatDay('2022-09-03T21:40:00Z')).toBe('3 September 2022');
    expect(formatShortDate('2022-09-03T21:40:00Z')).toBe('3 Sept 2022');
  });
});
