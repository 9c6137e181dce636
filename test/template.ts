import pg from 'pg'
import PgBoss from 'pg-boss'
import { createKnex, migrateLatest } from '../core/infra/database.js'

export const TEMPLATE_DB = 'crisp_test_template'

const swapDatabase = (url: string, db: string) => {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}

/** Builds the migrated template (our tables and pg-boss's schema) that every test database is cloned from. */
export async function prepareTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`)
  } finally {
    await admin.end()
  }
  const url = swapDatabase(adminUrl, TEMPLATE_DB)
  const knex = createKnex(url)
  try {
    await migrateLatest(knex)
  } finally {
    await knex.destroy()
  }
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false })
  await boss.start()
  await boss.stop({ graceful: false, wait: true })
}

/** A fresh database cloned from the template, for one test file. */
export async function createTestDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`)
  } finally {
    await admin.end()
  }
  return swapDatabase(adminUrl, name)
}

export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await admin.end()
  }
}
