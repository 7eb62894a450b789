/**
 * Headless Debian Chromium for the browser suites (runtime smoke tests and WebGPU checks): one
 * executable path (`CHROMIUM_PATH`, default /usr/bin/chromium), one set of flags, one launcher.
 *
 * The quiet flags keep Chromium off the network, which this machine closes; `--enable-unsafe-webgpu`
 * exposes `navigator.gpu`, and `swiftshader` pins its software Vulkan adapter where no GPU exists.
 */
import { chromium } from 'playwright-core';

/** The Chromium executable the suites launch. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const QUIET = ['--no-sandbox', '--headless=new', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const SWIFTSHADER = ['--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];

/**
 * Launch Chromium with a fresh profile folder (playwright takes it as an argument, not a flag).
 * @param {string} userDataDir - an empty temporary folder.
 * @param {{ swiftshader?: boolean, timeout?: number }} [options] - pin the SwiftShader adapter; launch timeout.
 */
export function launchChromium(userDataDir, options = {}) {
  const args = [...QUIET, '--enable-unsafe-webgpu', ...(options.swiftshader ? SWIFTSHADER : [])];
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args, timeout: options.timeout ?? 120_000 });
}
