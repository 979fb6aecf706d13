// The outlet's logo as the masthead and structured data use it (public/images/logo.png).

export const LOGO = { path: '/images/logo.png', width: 258, height: 60 } as const;
