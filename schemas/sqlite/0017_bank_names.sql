-- Bank 402 named as the others are: its short name, then its Chinese name (the console shows the
-- name to a Chinese reader; a phrase of English there reads as a sentence).
UPDATE banks SET name = 'RCC 农村信用社' WHERE code = '402' AND name = 'Rural credit cooperatives 农村信用社';
