export default async function teardown() {
  const { default: globalTeardown } = await import('./globalTeardown.ts');
  await globalTeardown();
}
