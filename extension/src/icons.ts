import { LabIcon } from '@jupyterlab/ui-components';

const ROCKET = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <path class="jp-icon3" fill="#616161" d="M12 2c3 2 5 5.5 5 9.5l2.5 3.5-1 4-3-2h-7l-3 2-1-4L7 11.5C7 7.5 9 4 12 2zm0 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm-2 11h4l-2 3z"/>
</svg>`;

export const productionizeIcon = new LabIcon({
  name: 'jupyterlab-productionize:icon',
  svgstr: ROCKET
});
