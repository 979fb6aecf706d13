// Formatting shared by the views: dates in the outlet's style, always in UTC so that a page's
// bytes do not depend on where it was rendered. Written out rather than left to Intl: pages are
// rendered at publish time (Node) and in the worker, and ICU versions disagree on details such as
// the hour after midnight in en-GB's twelve-hour clock ("0:05 am" or "12:05 am").

import { MONTH_NAMES } from '../shared/month-names';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** en-GB's abbreviations: four letters for September. */
const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'];

/** "Tuesday, 18 January 2022 2:05 PM UTC" */
export function formatLongDate(iso: string): string {
  const date = new Date(iso);
  const hour = date.getUTCHours();
  const minute = String(date.getUTCMinutes()).padStart(2, '0');
  const clock = `${hour % 12 || 12}:${minute} ${hour < 12 ? 'AM' : 'PM'}`;
  return `${WEEKDAYS[date.getUTCDay()]}, ${formatDay(iso)} ${clock} UTC`;
}

/** "19 January 2022": the date a correction is labelled with, on the page and in RSS. */
export function formatDay(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCDate()} ${MONTH_NAMES[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "18 Jan 2022" */
export function formatShortDate(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCDate()} ${SHORT_MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}
