import { Link, Text } from '@fluentui/react-components';
import { href } from '../routing';
import { PageTitle } from '../components/PageTitle';

export function NotFoundPage() {
  return (
    <>
      <PageTitle title="There is no such page" />
      <Text as="p">
        The address may be mistyped or out of date. Go to <Link href={href.connections()}>your connections</Link>.
      </Text>
    </>
  );
}
