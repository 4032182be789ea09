/**
 * Command ids (one constant object) and their registration: palette, context menu, toolbar.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { ProductionizeController } from './controller';
import { productionizeIcon } from './icons';
import { STAGE_TAGS, StageTag } from './logic/tags';

export const CommandIDs = {
  /** The toolbar button: lint the notebook and open the side panel. */
  run: 'productionize:run',
  lint: 'productionize:lint',
  tag: 'productionize:tag-cell',
  preview: 'productionize:preview',
  build: 'productionize:build',
  publish: 'productionize:publish',
  showPanel: 'productionize:show-panel'
} as const;

const CATEGORY = 'Productionize';

export function registerCommands(
  app: JupyterFrontEnd,
  controller: ProductionizeController,
  palette: ICommandPalette | null
): void {
  const { commands } = app;
  const hasNotebook = () => controller.current() !== null;

  commands.addCommand(CommandIDs.run, {
    label: 'Productionize',
    caption: 'Check this notebook for production (lint) and open the Productionize panel',
    icon: productionizeIcon,
    isEnabled: hasNotebook,
    execute: () => controller.lint()
  });
  commands.addCommand(CommandIDs.lint, {
    label: 'Lint Notebook',
    caption: 'Check the notebook for hidden state, secrets, paths and style',
    isEnabled: hasNotebook,
    execute: () => controller.lint()
  });
  commands.addCommand(CommandIDs.tag, {
    label: args => (args.stage ? `Tag Cell as ${args.stage}` : 'Tag Cell with a Stage'),
    caption: 'Set (or remove) the pipeline stage tag of the selected cells',
    isEnabled: hasNotebook,
    isToggled: args => {
      const cell = controller.current()?.content.activeCell;
      const tags = cell?.model.getMetadata('tags');
      return Array.isArray(tags) && tags.includes(args.stage as string);
    },
    execute: args => {
      const stage = args.stage as StageTag;
      if ((STAGE_TAGS as readonly string[]).includes(stage)) {
        controller.tagCells(stage);
      }
    }
  });
  commands.addCommand(CommandIDs.preview, {
    label: 'Preview Production Code',
    caption: 'Show the files the split stage would generate, before anything is written',
    isEnabled: hasNotebook,
    execute: () => controller.preview()
  });
  commands.addCommand(CommandIDs.build, {
    label: 'Build Production Project',
    caption: 'Save the notebook and write the generated project (lint, split, service, verify)',
    isEnabled: hasNotebook,
    execute: () => controller.build()
  });
  commands.addCommand(CommandIDs.publish, {
    label: 'Publish for Review…',
    caption: 'Push the generated project to a deployment repository and open a pull request',
    isEnabled: hasNotebook,
    execute: () => controller.publish()
  });
  commands.addCommand(CommandIDs.showPanel, {
    label: 'Show Productionize Panel',
    execute: () => controller.showPanel()
  });

  if (palette) {
    for (const command of [
      CommandIDs.lint,
      CommandIDs.preview,
      CommandIDs.build,
      CommandIDs.publish,
      CommandIDs.showPanel
    ]) {
      palette.addItem({ command, category: CATEGORY });
    }
    for (const stage of STAGE_TAGS) {
      palette.addItem({ command: CommandIDs.tag, args: { stage }, category: CATEGORY });
    }
  }
}
