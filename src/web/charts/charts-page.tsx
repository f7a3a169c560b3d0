import type { PageProps } from '../app.js';

export default function ChartsPage(_props: PageProps) {
  return <p class="notice">Charts</p>;
}
