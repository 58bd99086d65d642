// The colours the charts and the graph draw with (canvas drawing cannot read the stylesheet's
// variables cheaply); they match console.css and keep 3:1 contrast against the white panel.
export const palette = {
  inbound: '#3b6ea8',
  inboundInWindow: '#c2410c',
  outbound: '#7c3aed',
  band: 'rgba(22, 163, 74, 0.16)',
  bandEdge: '#15803d',
  median: '#15803d',
  grid: '#e3e6ea',
  text: '#1f2933',
  flagged: '#b91c1c',
  subject: '#c2410c',
  payer: '#52606d',
  edge: '#9aa5b1',
} as const;
