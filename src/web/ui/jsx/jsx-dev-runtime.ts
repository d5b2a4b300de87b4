// Bun's development JSX transform imports this module; it is the same renderer.
export * from './jsx-runtime.ts'
