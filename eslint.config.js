// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports a pure layer must never make (style guide §2). */
const impure = [
  { group: ['node:*'], message: 'Pure layer: no Node built-ins (style guide §2).' },
  { group: ['**/client/**', '**/apply/**', '**/cli/**', '**/emulator/**', '**/config/load*'], message: 'Pure layer: edges are not importable here.' },
  { group: ['listr2', 'ora', 'chalk'], message: 'Pure layer: no terminal UI.' },
];
const pureGlobals = [
  { name: 'process', message: 'Pure layer: inputs come in as arguments (style guide §2).' },
];
const pureSyntax = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Pure layer: pass the clock in.' },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Pure layer: pass randomness in.' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Pure layer: pass the clock in.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'src/**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bench/*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/render/**/*.ts', 'src/kinds/*/spec.ts', 'src/kinds/*/types.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: impure.map((p) => ({ ...p, allowTypeImports: p.group[0] !== 'node:*' })) }],
      'no-restricted-globals': ['error', ...pureGlobals],
      'no-restricted-syntax': ['error', ...pureSyntax],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/cli/**', '../cli/*'], message: 'Nothing imports cli/ (style guide §2).' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
