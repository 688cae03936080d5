# expect: MI203
# why: Hybrid-worker VM runbook reading IMDS instance metadata (not a finding) and then an IMDS managed-identity token (MI203).
$imdsHeaders = @{ Metadata = 'true' }

$instance = Invoke-RestMethod -Headers $imdsHeaders -Method GET -Uri 'http://169.254.169.254/metadata/instance?api-version=2021-02-01'
$subscriptionId = $instance.compute.subscriptionId
$resourceGroup = $instance.compute.resourceGroupName
Write-Output "Running on $($instance.compute.name) in $resourceGroup"

$tokenResponse = Invoke-RestMethod -Headers $imdsHeaders -Method GET -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F'
$bearer = @{ Authorization = 'Bearer ' + $tokenResponse.access_token }

$disksUri = "https://management.azure.com/subscriptions/$subscriptionId/resourceGroups/$resourceGroup/providers/Microsoft.Compute/disks?api-version=2023-04-02"
$disks = (Invoke-RestMethod -Uri $disksUri -Headers $bearer).value
foreach ($disk in $disks) {
    Write-Output ("{0}: {1} GB, {2}" -f $disk.name, $disk.properties.diskSizeGB, $disk.properties.diskState)
}
