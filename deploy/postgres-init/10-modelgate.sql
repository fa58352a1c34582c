-- The gateway's shared registry database (MODELGATE_DATABASE_URL), beside Unleash's.
-- Run once by the postgres image on an empty data directory.
CREATE ROLE modelgate LOGIN PASSWORD 'modelgate';
CREATE DATABASE modelgate OWNER modelgate;
