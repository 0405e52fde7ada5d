-- History records the role a change was made under, next to who made it: a clerk holding
-- several roles (the office and a department, two departments) acts under one of them, and a
-- supervisor must see which. Rows written before have no role to give.
ALTER TABLE history ADD COLUMN role text NOT NULL DEFAULT '';
ALTER TABLE history ALTER COLUMN role DROP DEFAULT;
