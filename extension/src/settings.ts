/**
 * The user's settings (schema/plugin.json), read into one typed value.
 */

import { ISettingRegistry } from '@jupyterlab/settingregistry';

export interface IProductionizeSettings {
  defaultRemote: string;
  provider: 'none' | 'github' | 'gitlab';
  baseBranch: string;
  framework: 'fastapi' | 'flask';
  selectRules: string[];
  ignoreRules: string[];
  outputDir: string;
  verify: boolean;
}

export const DEFAULT_SETTINGS: IProductionizeSettings = {
  defaultRemote: '',
  provider: 'none',
  baseBranch: 'main',
  framework: 'fastapi',
  selectRules: [],
  ignoreRules: [],
  outputDir: '',
  verify: true
};

/** Read the composite settings, falling back to defaults for anything missing. */
export function readSettings(settings: ISettingRegistry.ISettings | null): IProductionizeSettings {
  if (!settings) {
    return { ...DEFAULT_SETTINGS };
  }
  const get = <K extends keyof IProductionizeSettings>(key: K): IProductionizeSettings[K] =>
    (settings.get(key).composite as IProductionizeSettings[K]) ?? DEFAULT_SETTINGS[key];
  return {
    defaultRemote: get('defaultRemote'),
    provider: get('provider'),
    baseBranch: get('baseBranch'),
    framework: get('framework'),
    selectRules: get('selectRules'),
    ignoreRules: get('ignoreRules'),
    outputDir: get('outputDir'),
    verify: get('verify')
  };
}
