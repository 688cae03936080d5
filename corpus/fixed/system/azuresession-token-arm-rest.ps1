# expect: MI205
# why: An ARM token taken from the internal AzureSession authentication factory (held in a variable) and used in a Bearer header for Invoke-RestMethod; the unsafe fix takes it from Get-AzAccessToken -AsSecureString instead and drops the factory.
param(
    [Parameter(Mandatory = $true)]
    [string] $ResourceGroupName
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$context = Get-AzContext
$armResource = "https://management.azure.com/"
$authFactory = [Microsoft.Azure.Commands.Common.Authentication.AzureSession]::Instance.AuthenticationFactory
$armToken = $authFactory.Authenticate($context.Account, $context.Environment, $context.Tenant.Id.ToString(), $null, [Microsoft.Azure.Commands.Common.Authentication.ShowDialog]::Never, $null, $armResource).AccessToken

$headers = @{
    'Authorization' = "Bearer $armToken"
    'Content-Type'  = 'application/json'
}
$uri = "https://management.azure.com/subscriptions/$($context.Subscription.Id)/resourceGroups/$ResourceGroupName/providers/Microsoft.Compute/virtualMachines?api-version=2023-03-01"

$vms = (Invoke-RestMethod -Method Get -Uri $uri -Headers $headers).value
foreach ($vm in $vms) {
    Write-Output ("{0} ({1})" -f $vm.name, $vm.properties.hardwareProfile.vmSize)
}
