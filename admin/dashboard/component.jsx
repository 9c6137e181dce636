// Bundled by AdminJS (rollup + babel) for the browser; kept in plain JSX so the server's tsc never sees it.
import React, { useEffect, useState } from 'react'
import { ApiClient } from 'adminjs'
import { Box, H2, H5, Text } from '@adminjs/design-system'

const api = new ApiClient()

const Figure = ({ label, value, testId }) => (
  <Box variant="card" flex="1" m="default" p="xl" data-testid={testId}>
    <H5>{label}</H5>
    <H2>{value ?? '…'}</H2>
  </Box>
)

/** Bars of objects ingested per day; plain SVG, no chart library to ship. */
const PerDayChart = ({ days }) => {
  const max = Math.max(1, ...days.map((d) => d.count))
  const width = 560
  const height = 140
  const bar = width / Math.max(1, days.length)
  return (
    <svg
      width={width}
      height={height + 24}
      role="img"
      aria-label="Objects ingested per day"
      data-testid="objects-per-day"
    >
      {days.map((d, i) => {
        const h = Math.round((d.count / max) * height)
        return (
          <g key={d.day}>
            <rect x={i * bar + 2} y={height - h} width={bar - 4} height={h} fill="#3040D6">
              <title>{`${d.day}: ${d.count}`}</title>
            </rect>
            {i % 2 === 0 ? (
              <text x={i * bar + 2} y={height + 16} fontSize="10">
                {d.day.slice(5)}
              </text>
            ) : null}
          </g>
        )
      })}
    </svg>
  )
}

const Dashboard = () => {
  const [data, setData] = useState(null)
  const [error, setError] = useState(null)
  useEffect(() => {
    api.getDashboard().then(
      (res) => setData(res.data),
      (err) => setError(String(err)),
    )
  }, [])
  return (
    <Box p="xxl">
      <H2>CRISP</H2>
      {error ? <Text color="error">{error}</Text> : null}
      <Box flex flexDirection="row" flexWrap="wrap">
        <Figure label="Objects stored" value={data?.objectsStored} testId="objects-stored" />
        <Figure label="Organizations" value={data?.organizations} testId="organizations" />
        <Figure label="Feeds" value={data?.feeds} testId="feeds" />
        <Figure label="Failed runs (24 h)" value={data?.failedRunsLast24h} testId="failed-runs" />
      </Box>
      <H5 ml="default" mt="lg">
        Open alerts of your organization
      </H5>
      <Box flex flexDirection="row" flexWrap="wrap" data-testid="open-alerts">
        {['Low', 'Medium', 'High', 'Critical'].map((name, i) => (
          <Figure
            key={name}
            label={name}
            value={data?.openAlertsBySeverity?.[i]?.count}
            testId={`open-alerts-${name.toLowerCase()}`}
          />
        ))}
      </Box>
      <Box variant="card" m="default" p="xl">
        <H5>Objects ingested per day (14 days)</H5>
        {data ? <PerDayChart days={data.objectsPerDay} /> : <Text>…</Text>}
      </Box>
    </Box>
  )
}

export default Dashboard
