import type { PageProps } from '../app.js';

export default function CarPage({ route }: PageProps) {
  return <p class="notice">Car {route.car}</p>;
}
