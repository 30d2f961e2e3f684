export { ConfigError } from './configError.js';
export { ConfigStore, validateConfigFile } from './configStore.js';
export { configFilePath, expandHome, omnipalmHome } from './home.js';
export { CONFIG_KEYS, isSection, schemaAt, suggestKey } from './keys.js';
export {
  OPERATIONS,
  configSchema,
  parseSize,
  type OmniPalmConfig,
  type Operation,
} from './schema.js';
