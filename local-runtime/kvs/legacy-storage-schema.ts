// The part of Forge's GraphQL schema that the legacy storage client (`storage` of `@forge/api` up to
// 7.x, through `@forge/storage` 1.x and 2.x: see its gql-queries.js) queries at
// `/forge/entities/graphql`. Names and argument types are the ones the client declares in its
// operations, so its documents validate here as they do on Forge. `contextAri` is sent by
// `@forge/storage` 1.x only (2.x dropped it), so it is optional.
import { buildSchema } from 'graphql';

export const LEGACY_STORAGE_SCHEMA = buildSchema(/* GraphQL */ `
  "Any JSON value: what an app stores, a partition value, a condition value."
  scalar JSON

  enum SortOrder {
    ASC
    DESC
  }

  type AppStoredEntity {
    key: ID!
    value: JSON
  }

  type AppStoredEntityEdge {
    node: AppStoredEntity!
    cursor: String!
  }

  type AppStoredEntityConnection {
    edges: [AppStoredEntityEdge!]!
  }

  "The client's startsWith(value): { field: 'key', condition: 'STARTS_WITH', value }."
  input AppStoredEntityFilter {
    field: String!
    condition: String!
    value: JSON!
  }

  type AppStoredCustomEntity {
    key: ID!
    value: JSON
    entityName: String!
  }

  type AppStoredCustomEntityEdge {
    node: AppStoredCustomEntity!
    cursor: String
  }

  type AppStoredCustomEntityPageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
  }

  type AppStoredCustomEntityConnection {
    edges: [AppStoredCustomEntityEdge!]!
    pageInfo: AppStoredCustomEntityPageInfo!
    totalCount: Int
    cursor: String
  }

  "WhereConditions: { condition, values }."
  input AppStoredCustomEntityRange {
    condition: String!
    values: [JSON!]!
  }

  "FilterConditions with a property: { property, condition, values }."
  input AppStoredCustomEntityFilter {
    property: String!
    condition: String!
    values: [JSON!]
  }

  input AppStoredCustomEntityFilters {
    and: [AppStoredCustomEntityFilter!]
    or: [AppStoredCustomEntityFilter!]
  }

  scalar AppStoredCustomEntityFieldValue

  type Query {
    appStoredEntity(contextAri: ID, key: ID!, encrypted: Boolean!): AppStoredEntity!
    appStoredEntities(
      contextAri: ID
      where: [AppStoredEntityFilter!]
      after: String
      first: Int
    ): AppStoredEntityConnection!
    appStoredEntitiesForCleanup(
      contextAri: ID
      where: [AppStoredEntityFilter!]
      after: String
      first: Int
    ): AppStoredEntityConnection!
    appStoredCustomEntity(contextAri: ID, key: ID!, entityName: String!): AppStoredCustomEntity!
    appStoredCustomEntities(
      contextAri: ID
      entityName: String!
      indexName: String!
      range: AppStoredCustomEntityRange
      filters: AppStoredCustomEntityFilters
      sort: SortOrder
      limit: Int
      cursor: String
      partition: [AppStoredCustomEntityFieldValue!]
    ): AppStoredCustomEntityConnection!
  }

  type MutationErrorExtension {
    errorType: String
    statusCode: Int
  }

  type MutationError {
    message: String
    extensions: MutationErrorExtension
  }

  type MutationPayload {
    success: Boolean!
    errors: [MutationError!]
  }

  input SetAppStoredEntityMutationInput {
    contextAri: ID
    key: ID!
    value: JSON!
    encrypted: Boolean
  }

  input DeleteAppStoredEntityMutationInput {
    contextAri: ID
    key: ID!
    encrypted: Boolean
  }

  input SetAppStoredCustomEntityMutationInput {
    contextAri: ID
    entityName: String!
    key: ID!
    value: JSON!
  }

  input DeleteAppStoredCustomEntityMutationInput {
    contextAri: ID
    entityName: String!
    key: ID!
  }

  type AppStorageMutation {
    setAppStoredEntity(input: SetAppStoredEntityMutationInput!): MutationPayload!
    deleteAppStoredEntity(input: DeleteAppStoredEntityMutationInput!): MutationPayload!
  }

  type AppStorageCustomEntityMutation {
    setAppStoredCustomEntity(input: SetAppStoredCustomEntityMutationInput!): MutationPayload!
    deleteAppStoredCustomEntity(input: DeleteAppStoredCustomEntityMutationInput!): MutationPayload!
  }

  type Mutation {
    appStorage: AppStorageMutation!
    appStorageCustomEntity: AppStorageCustomEntityMutation!
  }
`);
