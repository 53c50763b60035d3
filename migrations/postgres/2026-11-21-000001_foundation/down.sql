DROP TABLE memberships;
DROP TABLE coalition_activity_areas;
DROP TABLE coalitions;
DROP TABLE organisations;
DROP TABLE vocabulary_terms;
DROP TABLE country_groups;
DROP TABLE countries;
