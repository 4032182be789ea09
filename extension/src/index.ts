/**
 * JupyterLab plugin: activation only (wiring of tracker, settings, commands and panel).
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { registerCommands } from './commands';
import { ProductionizeController } from './controller';

const PLUGIN_ID = 'jupyterlab-productionize:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Turn a notebook into reviewed, tested, deployable code.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, ICommandPalette],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    registry: ISettingRegistry | null,
    palette: ICommandPalette | null
  ) => {
    // commands first: the notebook toolbar button refers to them as soon as a notebook opens
    const controller = new ProductionizeController(app, tracker);
    registerCommands(app, controller, palette);
    if (registry) {
      try {
        controller.useSettings(await registry.load(PLUGIN_ID));
      } catch (error) {
        console.warn('productionize: settings could not be loaded; using defaults', error);
      }
    }
  }
};

export default plugin;
