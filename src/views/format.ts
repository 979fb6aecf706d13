// Formatting shared by the views: dates in the outlet's style, always in UTC so that a page's
// bytes do not depend on where it was rendered.

const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

const SHORT_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** "Tuesday, 18 January 2022 2:05 PM" */
export function formatLongDate(iso: string): string {
  return `${LONG_DATE.format(new Date(iso))
    .replace(' at ', ' ')
    .replace(/\b(am|pm)\b/, (m) => m.toUpperCase())} UTC`;
}

const DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "19 January 2022": the date a correction is labelled with, on the page and in RSS. */
export function formatDay(iso: string): string {
  return DAY.format(new Date(iso));
}

/** "18 Jan 2022" */
export function formatShortDate(iso: string): string {
  return SHORT_DATE.format(new Date(iso));
}
