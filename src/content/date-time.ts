// Front matter date-times: ISO 8601 with an offset, checked field by field and converted to UTC.
// Date.parse is not used for validation: it shifts impossible dates (2023-02-30 → 2 March, T24:00 →
// the next day) and accepts years that become 0 or 10000 in UTC, which no article path can hold.

import { MONTH_NAMES } from '../shared/month-names';

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

export const DATE_TIME_FORMAT = 'must be an ISO 8601 date-time with offset, such as 2022-01-18T14:05:00Z';

/** Article paths hold a four-digit year (/Detail/{yyyy}/…), and nothing predates the Unix epoch. */
export const EARLIEST_UTC = '1970-01-01T00:00:00Z';
export const LATEST_UTC = '9999-12-31T23:59:59Z';

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids any local-time shift.
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** Milliseconds since the epoch for a calendar date and time already checked to exist. */
function utcMillis(fields: number[]): number {
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0] = fields;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** `2022-01-18T14:05:00Z` style UTC text: whole seconds without a fraction, as records store it. */
export function formatUtc(millis: number): string {
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}

/** The UTC form of an ISO 8601 date-time with offset, or why it is not a real instant in range. */
export function parseDateTime(value: string): { utc: string } | { problem: string } {
  const match = ISO_WITH_OFFSET.exec(value);
  if (!match) return { problem: DATE_TIME_FORMAT };
  const [, y, mo, d, h, mi, s = '00', fraction = '0', sign, oh = '00', om = '00'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as number[];
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (year === undefined || month === undefined || day === undefined) return { problem: DATE_TIME_FORMAT };
  if (month < 1 || month > 12) return { problem: 'is not a real date: the month must be 01 to 12' };
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    return { problem: `is not a real date: ${MONTH_NAMES[month - 1]} ${year} has ${days} days` };
  }
  // RFC 3339 allows no 24:00 and no leap second here: a JavaScript date cannot hold 23:59:60.
  if (hour === undefined || hour > 23) return { problem: 'is not a real time: the hour must be 00 to 23' };
  if (minute === undefined || minute > 59)
    return { problem: 'is not a real time: the minute must be 00 to 59' };
  if (second === undefined || second > 59)
    return { problem: 'is not a real time: the second must be 00 to 59' };
  if (offsetHours > 23 || offsetMinutes > 59) {
    return { problem: 'has an offset that is not a real one: it must be -23:59 to +23:59' };
  }
  const ms = Number(fraction.padEnd(3, '0'));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = utcMillis([year, month, day, hour, minute, second, ms]) - offset;
  const utcYear = new Date(utc).getUTCFullYear();
  if (utcYear < 1970 || utcYear > 9999) {
    // The UTC form of a year past 9999 needs an extended year (+010000-…), shown here without it.
    const shown = formatUtc(utc).replace(/^([+-])0*(\d{4,})/, (_, minus: string, digits: string) =>
      minus === '-' ? `-${digits}` : digits,
    );
    return {
      problem: `is ${shown} in UTC: it must be from ${EARLIEST_UTC} to ${LATEST_UTC}, in UTC`,
    };
  }
  return { utc: formatUtc(utc) };
}
