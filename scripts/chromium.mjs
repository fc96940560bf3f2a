// How every script of the project launches Chromium: Debian's /usr/bin/chromium
// (never a downloaded browser), with the flags this closed network needs
// (without the background-networking ones, Chromium's own connections are refused).
export const chromiumLaunchOptions = Object.freeze({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});
