// The months' English names, for text a reader sees (dates on pages, messages to editors). Written
// out rather than taken from Intl, whose output differs between ICU versions (Node and workerd).

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
