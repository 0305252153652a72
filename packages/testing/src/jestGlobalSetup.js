// Jest loads global setup outside its ESM TypeScript transform; the test command registers tsx
// (`node --import tsx`), so the TypeScript setup is imported natively from here.
export default async function setup() {
  const { default: globalSetup } = await import('./globalSetup.ts');
  await globalSetup();
}
