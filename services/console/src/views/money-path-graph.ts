// The money's path of a replacement alert: the flagged wallet on the left, the new wallet on the
// right, and between them the payers who paid both, each with an arrow to each wallet. Cytoscape's
// grid layout places them and draws them; a tap on a wallet opens it.
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import type { RelatedWallet } from '../../../../schemas/alert.js';
import { number, percent } from '../format.js';
import { palette } from './palette.js';

export interface MoneyPath {
  /** The wallet the alert is about (the suspected replacement). */
  walletId: string;
  related: RelatedWallet[];
}

/** Draws the graph into `container`; returns the instance (destroy it when the view goes). */
export function drawMoneyPath(
  container: HTMLElement,
  path: MoneyPath,
  onOpenWallet: (walletId: string) => void,
): Core {
  const { elements, rows, cols } = graphElements(path);
  const graph = cytoscape({
    container,
    elements,
    layout: {
      name: 'grid',
      cols,
      rows,
      avoidOverlap: true,
      condense: false,
      position: (node) => node.data('cell') as { row: number; col: number },
    },
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'font-size': 11,
          color: palette.text,
          'text-valign': 'bottom',
          'text-margin-y': 4,
          'text-wrap': 'wrap',
          'text-max-width': '160px',
          width: 16,
          height: 16,
          'background-color': palette.payer,
        },
      },
      {
        selector: 'node.wallet',
        style: { width: 34, height: 34, shape: 'round-rectangle', 'font-size': 13, 'font-weight': 'bold' },
      },
      {
        // Beside the dot rather than under it: a column of payers stays compact.
        selector: 'node.payer, node.more',
        style: { 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 5, 'text-margin-y': 0 },
      },
      { selector: 'node.flagged', style: { 'background-color': palette.flagged } },
      { selector: 'node.subject', style: { 'background-color': palette.subject } },
      {
        selector: 'node.more',
        style: {
          'background-color': '#fff',
          'border-width': 1,
          'border-color': palette.payer,
          shape: 'ellipse',
        },
      },
      {
        selector: 'edge',
        style: {
          width: 1.5,
          'line-color': palette.edge,
          'target-arrow-color': palette.edge,
          'target-arrow-shape': 'triangle',
          'curve-style': 'bezier',
        },
      },
    ],
    // A large sample must not shrink the labels out of reading; the frame scrolls nothing, so it fits.
    minZoom: 0.5,
    maxZoom: 1.5,
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
  });
  graph.on('tap', 'node.wallet, node.payer', (event) => onOpenWallet(String(event.target.data('walletId'))));
  return graph;
}

/** Payers per column of the middle block; more payers take another column. */
const PAYERS_PER_COLUMN = 10;

/** The nodes and edges: flagged wallets left, payers in the middle block, this wallet right. */
export function graphElements(path: MoneyPath): {
  elements: ElementDefinition[];
  rows: number;
  cols: number;
} {
  const flagged = path.related;
  const payers = [...new Set(flagged.flatMap((related) => related.samplePayers))];
  const unseen = flagged.reduce(
    (most, related) => Math.max(most, Math.round(related.sharedPayers) - related.samplePayers.length),
    0,
  );
  const middle = payers.length + (unseen > 0 ? 1 : 0);
  const payerColumns = Math.max(1, Math.ceil(middle / PAYERS_PER_COLUMN));
  const perColumn = Math.max(1, Math.ceil(middle / payerColumns));
  const rows = Math.max(perColumn, flagged.length, 1);
  const cols = payerColumns + 2;
  const centre = (count: number, index: number) => Math.floor((rows - count) / 2) + index;
  const middleCell = (index: number) => ({ row: index % perColumn, col: 1 + Math.floor(index / perColumn) });

  const elements: ElementDefinition[] = [
    {
      group: 'nodes',
      classes: 'wallet subject',
      data: {
        id: `w:${path.walletId}`,
        walletId: path.walletId,
        label: `${path.walletId}\n(this wallet)`,
        cell: { row: centre(1, 0), col: cols - 1 },
      },
    },
  ];
  flagged.forEach((related, index) => {
    elements.push({
      group: 'nodes',
      classes: 'wallet flagged',
      data: {
        id: `f:${related.walletId}`,
        walletId: related.walletId,
        label: `${related.walletId}\n(flagged)`,
        cell: { row: centre(flagged.length, index), col: 0 },
      },
    });
  });
  payers.forEach((payer, index) => {
    elements.push({
      group: 'nodes',
      classes: 'payer',
      data: { id: `p:${payer}`, walletId: payer, label: payer, cell: middleCell(index) },
    });
    elements.push({
      group: 'edges',
      data: { id: `p:${payer}>w`, source: `p:${payer}`, target: `w:${path.walletId}` },
    });
    for (const related of flagged) {
      if (!related.samplePayers.includes(payer)) continue;
      elements.push({
        group: 'edges',
        data: {
          id: `p:${payer}>f:${related.walletId}`,
          source: `p:${payer}`,
          target: `f:${related.walletId}`,
        },
      });
    }
  });
  if (unseen > 0) {
    elements.push({
      group: 'nodes',
      classes: 'more',
      data: {
        id: 'more:payers',
        label: `+${number(unseen)} more shared payers`,
        cell: middleCell(payers.length),
      },
    });
  }
  return { elements, rows, cols };
}

/** One sentence per flagged wallet: what the graph shows, for the headline and for screen readers. */
export function describeMoneyPath(path: MoneyPath): string[] {
  return path.related.map((related) => {
    const share =
      related.payersHeld > 0
        ? ` (${percent(related.sharedPayers / related.payersHeld)} of its ${number(related.payersHeld)} payers)`
        : '';
    return `${number(related.sharedPayers)} payers of ${path.walletId}${share} also paid flagged wallet ${related.walletId}.`;
  });
}
